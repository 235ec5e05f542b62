using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Cases.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseListPriorityIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_cases_Priority_DueSort_Id",
                table: "cases_cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_Priority_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "Priority", "DueSort", "Id" },
                descending: new[] { true, false, false });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_cases_Priority_DueSort_Id",
                table: "cases_cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_cases_Priority_DueSort_Id",
                table: "cases_cases",
                columns: new[] { "Priority", "DueSort", "Id" });
        }
    }
}
