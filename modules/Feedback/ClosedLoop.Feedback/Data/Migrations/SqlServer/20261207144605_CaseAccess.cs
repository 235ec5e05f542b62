using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CaseAccess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_cases",
                schema: "feedback",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Team = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    Level = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_cases", x => x.CaseId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_customer_cases_CustomerId_Team_Level",
                schema: "feedback",
                table: "customer_cases",
                columns: new[] { "CustomerId", "Team", "Level" });

            migrationBuilder.CreateIndex(
                name: "IX_customer_cases_Team_Level_CustomerId",
                schema: "feedback",
                table: "customer_cases",
                columns: new[] { "Team", "Level", "CustomerId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "customer_cases",
                schema: "feedback");
        }
    }
}
