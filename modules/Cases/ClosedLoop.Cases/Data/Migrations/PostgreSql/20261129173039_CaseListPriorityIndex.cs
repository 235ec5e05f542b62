using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Cases.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class CaseListPriorityIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_Priority_DueSort_Id",
                schema: "cases",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_Priority_DueSort_Id",
                schema: "cases",
                table: "cases",
                columns: new[] { "Priority", "DueSort", "Id" },
                descending: new[] { true, false, false });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_Priority_DueSort_Id",
                schema: "cases",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_Priority_DueSort_Id",
                schema: "cases",
                table: "cases",
                columns: new[] { "Priority", "DueSort", "Id" });
        }
    }
}
