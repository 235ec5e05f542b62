using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseAccess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "feedback_customer_cases",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Team = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_customer_cases", x => x.CaseId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_customer_cases_CustomerId_Team_Level",
                table: "feedback_customer_cases",
                columns: new[] { "CustomerId", "Team", "Level" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_customer_cases_Team_Level_CustomerId",
                table: "feedback_customer_cases",
                columns: new[] { "Team", "Level", "CustomerId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feedback_customer_cases");
        }
    }
}
