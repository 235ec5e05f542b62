using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Insights.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_insights_outbox_messages_LockToken",
                table: "insights_outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_insights_outbox_messages_ProcessedAt_NextAttemptAt",
                table: "insights_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_insights_outbox_messages_NextAttemptAt",
                table: "insights_outbox_messages",
                column: "NextAttemptAt",
                filter: "\"ProcessedAt\" IS NULL AND \"FailedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_insights_outbox_messages_ProcessedAt",
                table: "insights_outbox_messages",
                column: "ProcessedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_insights_outbox_messages_NextAttemptAt",
                table: "insights_outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_insights_outbox_messages_ProcessedAt",
                table: "insights_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_insights_outbox_messages_LockToken",
                table: "insights_outbox_messages",
                column: "LockToken");

            migrationBuilder.CreateIndex(
                name: "IX_insights_outbox_messages_ProcessedAt_NextAttemptAt",
                table: "insights_outbox_messages",
                columns: new[] { "ProcessedAt", "NextAttemptAt" });
        }
    }
}
