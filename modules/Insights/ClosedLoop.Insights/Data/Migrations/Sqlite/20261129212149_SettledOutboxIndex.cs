using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Insights.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SettledOutboxIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_insights_outbox_messages_ProcessedAt",
                table: "insights_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_insights_outbox_messages_ProcessedAt",
                table: "insights_outbox_messages",
                column: "ProcessedAt",
                filter: "\"ProcessedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_insights_outbox_messages_ProcessedAt",
                table: "insights_outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_insights_outbox_messages_ProcessedAt",
                table: "insights_outbox_messages",
                column: "ProcessedAt");
        }
    }
}
