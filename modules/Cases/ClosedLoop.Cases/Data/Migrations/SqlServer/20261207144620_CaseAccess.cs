using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Cases.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CaseAccess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "backfills",
                schema: "cases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    After = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CompletedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    Version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_backfills", x => x.Name);
                });

            migrationBuilder.InsertData(
                schema: "cases",
                table: "backfills",
                columns: new[] { "Name", "After", "CompletedAt", "Version" },
                values: new object[] { "case-access-events", null, null, 0 });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "backfills",
                schema: "cases");
        }
    }
}
