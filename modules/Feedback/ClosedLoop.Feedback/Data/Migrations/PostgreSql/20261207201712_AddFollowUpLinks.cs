using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AddFollowUpLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "LoopInstanceId",
                schema: "feedback",
                table: "items",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_items_LoopInstanceId",
                schema: "feedback",
                table: "items",
                column: "LoopInstanceId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_items_LoopInstanceId",
                schema: "feedback",
                table: "items");

            migrationBuilder.DropColumn(
                name: "LoopInstanceId",
                schema: "feedback",
                table: "items");
        }
    }
}
