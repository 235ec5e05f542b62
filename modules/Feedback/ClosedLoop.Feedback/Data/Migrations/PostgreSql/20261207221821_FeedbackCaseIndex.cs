using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class FeedbackCaseIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_items_CaseId_SubmittedAt",
                schema: "feedback",
                table: "items",
                columns: new[] { "CaseId", "SubmittedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_items_CaseId_SubmittedAt",
                schema: "feedback",
                table: "items");
        }
    }
}
