using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Cases.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseAccess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cases_backfills",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    After = table.Column<Guid>(type: "TEXT", nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases_backfills", x => x.Name);
                });

            migrationBuilder.InsertData(
                table: "cases_backfills",
                columns: new[] { "Name", "After", "CompletedAt", "Version" },
                values: new object[] { "case-access-events", null, null, 0 });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cases_backfills");
        }
    }
}
