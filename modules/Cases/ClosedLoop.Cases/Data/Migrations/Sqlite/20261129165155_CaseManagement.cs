using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Cases.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseManagement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cases_cases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    FeedbackId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: false),
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: true),
                    TeamKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AssigneeId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AssigneeName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Loop = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    Score = table.Column<int>(type: "INTEGER", nullable: true),
                    Category = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    Sentiment = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    Routing = table.Column<string>(type: "TEXT", nullable: true),
                    RoutedByFallback = table.Column<bool>(type: "INTEGER", nullable: false),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastActivityAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstResponseTargetMinutes = table.Column<double>(type: "REAL", nullable: false),
                    ResolutionTargetMinutes = table.Column<double>(type: "REAL", nullable: false),
                    FirstResponseDueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AcknowledgedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolutionDueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PausedSince = table.Column<long>(type: "INTEGER", nullable: true),
                    PausedMinutes = table.Column<double>(type: "REAL", nullable: false),
                    FirstResponseBreachedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolutionBreachedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DueSort = table.Column<long>(type: "INTEGER", nullable: false),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RootCause = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ResolutionNote = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    CustomerSummary = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    AutoEscalatedTo = table.Column<int>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases_cases", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "cases_root_causes",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases_root_causes", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "cases_teams",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    BusinessHours = table.Column<string>(type: "TEXT", nullable: false),
                    Holidays = table.Column<string>(type: "TEXT", nullable: false),
                    SlaTargets = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases_teams", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "cases_case_entries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    Data = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases_case_entries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_cases_case_entries_cases_cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "cases_cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cases_case_topics",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases_case_topics", x => new { x.CaseId, x.Topic });
                    table.ForeignKey(
                        name: "FK_cases_case_topics_cases_cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "cases_cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cases_team_members",
                columns: table => new
                {
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    Available = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases_team_members", x => new { x.TeamId, x.UserId });
                    table.ForeignKey(
                        name: "FK_cases_team_members_cases_teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "cases_teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cases_case_entries_CaseId_Id",
                table: "cases_case_entries",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_case_topics_Topic_CaseId",
                table: "cases_case_topics",
                columns: new[] { "Topic", "CaseId" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_AssigneeId_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "AssigneeId", "DueSort", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_CustomerId_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "CustomerId", "DueSort", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "DueSort", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_FeedbackId",
                table: "cases_cases",
                column: "FeedbackId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_Level_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "Level", "DueSort", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_Priority_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "Priority", "DueSort", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_Status_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "Status", "DueSort", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_Status_LastActivityAt",
                table: "cases_cases",
                columns: new[] { "Status", "LastActivityAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_TeamId_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "TeamId", "DueSort", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_team_members_UserId",
                table: "cases_team_members",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_cases_teams_Key",
                table: "cases_teams",
                column: "Key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cases_case_entries");

            migrationBuilder.DropTable(
                name: "cases_case_topics");

            migrationBuilder.DropTable(
                name: "cases_root_causes");

            migrationBuilder.DropTable(
                name: "cases_team_members");

            migrationBuilder.DropTable(
                name: "cases_cases");

            migrationBuilder.DropTable(
                name: "cases_teams");
        }
    }
}
