using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddFollowUpLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "LoopInstanceId",
                table: "feedback_items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_items_LoopInstanceId",
                table: "feedback_items",
                column: "LoopInstanceId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feedback_items_LoopInstanceId",
                table: "feedback_items");

            migrationBuilder.DropColumn(
                name: "LoopInstanceId",
                table: "feedback_items");
        }
    }
}
