using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Routing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Routing",
                table: "feedback_items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Sentiment",
                table: "feedback_items",
                type: "TEXT",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "SentimentScore",
                table: "feedback_items",
                type: "REAL",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "feedback_item_topics",
                columns: table => new
                {
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_item_topics", x => new { x.ItemId, x.Topic });
                    table.ForeignKey(
                        name: "FK_feedback_item_topics_feedback_items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "feedback_items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_item_topics_Topic_ItemId",
                table: "feedback_item_topics",
                columns: new[] { "Topic", "ItemId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feedback_item_topics");

            migrationBuilder.DropColumn(
                name: "Routing",
                table: "feedback_items");

            migrationBuilder.DropColumn(
                name: "Sentiment",
                table: "feedback_items");

            migrationBuilder.DropColumn(
                name: "SentimentScore",
                table: "feedback_items");
        }
    }
}
