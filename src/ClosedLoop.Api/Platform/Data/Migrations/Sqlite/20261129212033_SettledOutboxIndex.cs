using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Api.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SettledOutboxIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_platform_outbox_messages_ProcessedAt",
                table: "platform_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_platform_outbox_messages_ProcessedAt",
                table: "platform_outbox_messages",
                column: "ProcessedAt",
                filter: "\"ProcessedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_platform_outbox_messages_ProcessedAt",
                table: "platform_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_platform_outbox_messages_ProcessedAt",
                table: "platform_outbox_messages",
                column: "ProcessedAt");
        }
    }
}
