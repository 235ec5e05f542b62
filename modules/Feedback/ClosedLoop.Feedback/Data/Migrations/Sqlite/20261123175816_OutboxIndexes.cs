using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feedback_outbox_messages_LockToken",
                table: "feedback_outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_feedback_outbox_messages_ProcessedAt_NextAttemptAt",
                table: "feedback_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_outbox_messages_NextAttemptAt",
                table: "feedback_outbox_messages",
                column: "NextAttemptAt",
                filter: "\"ProcessedAt\" IS NULL AND \"FailedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_outbox_messages_ProcessedAt",
                table: "feedback_outbox_messages",
                column: "ProcessedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feedback_outbox_messages_NextAttemptAt",
                table: "feedback_outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_feedback_outbox_messages_ProcessedAt",
                table: "feedback_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_outbox_messages_LockToken",
                table: "feedback_outbox_messages",
                column: "LockToken");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_outbox_messages_ProcessedAt_NextAttemptAt",
                table: "feedback_outbox_messages",
                columns: new[] { "ProcessedAt", "NextAttemptAt" });
        }
    }
}
