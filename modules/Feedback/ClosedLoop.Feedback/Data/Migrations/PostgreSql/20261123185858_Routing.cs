using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Routing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Routing",
                schema: "feedback",
                table: "items",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Sentiment",
                schema: "feedback",
                table: "items",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "SentimentScore",
                schema: "feedback",
                table: "items",
                type: "double precision",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "item_topics",
                schema: "feedback",
                columns: table => new
                {
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Topic = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_item_topics", x => new { x.ItemId, x.Topic });
                    table.ForeignKey(
                        name: "FK_item_topics_items_ItemId",
                        column: x => x.ItemId,
                        principalSchema: "feedback",
                        principalTable: "items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_item_topics_Topic_ItemId",
                schema: "feedback",
                table: "item_topics",
                columns: new[] { "Topic", "ItemId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "item_topics",
                schema: "feedback");

            migrationBuilder.DropColumn(
                name: "Routing",
                schema: "feedback",
                table: "items");

            migrationBuilder.DropColumn(
                name: "Sentiment",
                schema: "feedback",
                table: "items");

            migrationBuilder.DropColumn(
                name: "SentimentScore",
                schema: "feedback",
                table: "items");
        }
    }
}
