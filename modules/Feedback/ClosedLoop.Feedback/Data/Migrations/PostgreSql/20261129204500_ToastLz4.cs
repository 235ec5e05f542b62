using ClosedLoop.Feedback.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.PostgreSql
{
    /// <summary>
    /// PostgreSQL only, no model change: the items' routing explanations and the outbox payloads (which carry them again) are JSON of a few kB,
    /// which PostgreSQL compresses as it writes them.
    /// Its default, pglz, was about an eighth of the database's CPU during an import; lz4 does the same job several
    /// times faster. Servers built without lz4 (or before PostgreSQL 14) keep pglz: nothing else depends on it.
    /// </summary>
    [DbContext(typeof(FeedbackDbContext))]
    [Migration("20261129204500_ToastLz4")]
    public sealed class ToastLz4 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Set("""
            ALTER TABLE feedback.items ALTER COLUMN "Routing" SET COMPRESSION lz4;
            ALTER TABLE feedback.outbox_messages ALTER COLUMN "Payload" SET COMPRESSION lz4;
            """));

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Set("""
            ALTER TABLE feedback.items ALTER COLUMN "Routing" SET COMPRESSION pglz;
            ALTER TABLE feedback.outbox_messages ALTER COLUMN "Payload" SET COMPRESSION pglz;
            """));

        /// <summary>Runs <paramref name="statements"/> on PostgreSQL 14 and later; where they fail (no lz4 in this build), compression stays as it was.</summary>
        internal static string Set(string statements) => $"""
            DO $$
            BEGIN
                IF current_setting('server_version_num')::int >= 140000 THEN
                    BEGIN
                        {statements}
                    EXCEPTION WHEN OTHERS THEN
                        RAISE NOTICE 'TOAST compression left as it was: %', SQLERRM;
                    END;
                END IF;
            END $$;
            """;
    }
}
