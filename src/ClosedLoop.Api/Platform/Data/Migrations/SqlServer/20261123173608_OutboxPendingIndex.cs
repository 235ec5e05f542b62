using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Api.Platform.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class OutboxPendingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_NextAttemptAt",
                schema: "platform",
                table: "outbox_messages",
                column: "NextAttemptAt",
                filter: "[ProcessedAt] IS NULL AND [FailedAt] IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_NextAttemptAt",
                schema: "platform",
                table: "outbox_messages");
        }
    }
}
