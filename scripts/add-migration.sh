#!/usr/bin/env bash
# Adds one migration, with the same name, to every module DbContext for every database provider
# (SQLite, PostgreSQL, SQL Server). Migrations are append-only: never edit one that has shipped.
#
#   scripts/add-migration.sh AddCaseTimeline            # all contexts
#   scripts/add-migration.sh AddCaseTimeline Cases      # only the Cases module
set -euo pipefail

name=${1:?usage: scripts/add-migration.sh <MigrationName> [Context ...]}
shift
cd "$(dirname "$0")/.."

# context name : project folder : folder of the DbContext inside the project
all_contexts=(
  "Platform:src/ClosedLoop.Api:Platform/Data"
  "Rules:src/ClosedLoop.Rules:Store/Data"
  "Workflows:src/ClosedLoop.Workflows:Store/Data"
  "Feedback:modules/Feedback/ClosedLoop.Feedback:Data"
  "Cases:modules/Cases/ClosedLoop.Cases:Data"
  "Communication:modules/Communication/ClosedLoop.Communication:Data"
  "Insights:modules/Insights/ClosedLoop.Insights:Data"
)
providers=(
  "Sqlite:Data Source=.closedloop/design-time.db"
  "PostgreSql:Host=localhost;Database=closedloop;Username=postgres"
  "SqlServer:Server=localhost;Database=closedloop;TrustServerCertificate=True"
)

dotnet tool restore >/dev/null
dotnet build src/ClosedLoop.Api -nologo -v quiet

for entry in "${all_contexts[@]}"; do
  IFS=: read -r context project folder <<<"$entry"
  if [ $# -gt 0 ] && [[ ! " $* " =~ " $context " ]]; then continue; fi
  namespace="$(basename "$project").${folder//\//.}.Migrations"
  for p in "${providers[@]}"; do
    provider=${p%%:*}
    connection=${p#*:}
    echo "== $context / $provider"
    dotnet ef migrations add "$name" --no-build \
      --project "$project" --startup-project src/ClosedLoop.Api \
      --context "${context}DbContext" \
      --output-dir "$folder/Migrations/$provider" --namespace "$namespace.$provider" \
      -- --Database:Provider="$provider" --ConnectionStrings:closedloop="$connection" >/dev/null
    # EF names a new snapshot after the context alone, so the three providers' snapshots would share
    # one file. Give each its own class; EF keeps an existing snapshot's name on later migrations.
    generic=$(find "$project" -name "${context}DbContextModelSnapshot.cs" -not -path '*/bin/*' -not -path '*/obj/*' | head -n 1)
    if [ -n "$generic" ]; then
      target="$project/$folder/Migrations/$provider/${context}DbContext${provider}ModelSnapshot.cs"
      sed -e "s/class ${context}DbContextModelSnapshot/class ${context}DbContext${provider}ModelSnapshot/" "$generic" >"$target.tmp"
      rm "$generic"
      mv "$target.tmp" "$target"
      find "$project" -depth -type d -empty -not -path '*/bin/*' -not -path '*/obj/*' -delete
    fi
  done
done
echo "Added migration '$name'. Build, then run the migration tests: dotnet test tests/ClosedLoop.Api.Tests --filter Migrations"
