using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Workflows.Store.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WorkflowRuntime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "workflows_bookmarks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActivityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ActivityType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Port = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TimeoutPort = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    TimerScheduled = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workflows_bookmarks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "workflows_executions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    ActivityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ActivityType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Port = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    DurationMs = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workflows_executions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "workflows_incidents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActivityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ActivityType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolvedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workflows_incidents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "workflows_instances",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DefinitionId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    CorrelationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartKey = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    StateJson = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RunnableSince = table.Column<long>(type: "INTEGER", nullable: true),
                    LeaseOwner = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    Revision = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workflows_instances", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "workflows_wakeups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActivityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Port = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PayloadJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workflows_wakeups", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_bookmarks_InstanceId",
                table: "workflows_bookmarks",
                column: "InstanceId");

            migrationBuilder.CreateIndex(
                name: "IX_workflows_bookmarks_Kind_Key",
                table: "workflows_bookmarks",
                columns: new[] { "Kind", "Key" });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_bookmarks_TimerScheduled_DueAt",
                table: "workflows_bookmarks",
                columns: new[] { "TimerScheduled", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_executions_At",
                table: "workflows_executions",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_workflows_executions_InstanceId_Sequence",
                table: "workflows_executions",
                columns: new[] { "InstanceId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_incidents_InstanceId_CreatedAt",
                table: "workflows_incidents",
                columns: new[] { "InstanceId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_incidents_ResolvedAt",
                table: "workflows_incidents",
                column: "ResolvedAt");

            migrationBuilder.CreateIndex(
                name: "IX_workflows_instances_CorrelationId_CreatedAt",
                table: "workflows_instances",
                columns: new[] { "CorrelationId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_instances_CreatedAt",
                table: "workflows_instances",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_workflows_instances_DefinitionId_Status_CreatedAt",
                table: "workflows_instances",
                columns: new[] { "DefinitionId", "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_instances_RunnableSince",
                table: "workflows_instances",
                column: "RunnableSince");

            migrationBuilder.CreateIndex(
                name: "IX_workflows_instances_StartKey",
                table: "workflows_instances",
                column: "StartKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_workflows_instances_Status_CreatedAt",
                table: "workflows_instances",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_workflows_wakeups_InstanceId_CreatedAt",
                table: "workflows_wakeups",
                columns: new[] { "InstanceId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "workflows_bookmarks");

            migrationBuilder.DropTable(
                name: "workflows_executions");

            migrationBuilder.DropTable(
                name: "workflows_incidents");

            migrationBuilder.DropTable(
                name: "workflows_instances");

            migrationBuilder.DropTable(
                name: "workflows_wakeups");
        }
    }
}
