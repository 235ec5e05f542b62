using ClosedLoop.Persistence;
using ClosedLoop.Workflows.Runtime.Timers;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Workflows.Store.Data.Migrations.Sqlite
{
    /// <summary>The workflow timers' Quartz tables: Quartz 4.7.3's DDL for this provider (<see cref="QuartzSchema"/>); the EF model is unchanged.</summary>
    public partial class QuartzScheduler : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            QuartzSchema.Create(migrationBuilder, DatabaseProvider.Sqlite);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            QuartzSchema.Drop(migrationBuilder, DatabaseProvider.Sqlite);
        }
    }
}
