using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FeedbackCaseIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_feedback_items_CaseId_SubmittedAt",
                table: "feedback_items",
                columns: new[] { "CaseId", "SubmittedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feedback_items_CaseId_SubmittedAt",
                table: "feedback_items");
        }
    }
}
