using ClosedLoop.Feedback.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.PostgreSql
{
    /// <summary>
    /// PostgreSQL only, no model change: an upload is stored in pieces of 1 MiB (CSV or JSON lines, kept until its import
    /// completes), which PostgreSQL compressed with pglz as it wrote them: 20–25 ms a piece (<c>auto_explain</c>), on the
    /// clock of every import. lz4 does the same job several times faster; servers without it keep pglz (see <see cref="ToastLz4"/>).
    /// </summary>
    [DbContext(typeof(FeedbackDbContext))]
    [Migration("20261129233000_UploadLz4")]
    public sealed class UploadLz4 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(ToastLz4.Set("""
            ALTER TABLE feedback.import_chunks ALTER COLUMN "Data" SET COMPRESSION lz4;
            """));

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(ToastLz4.Set("""
            ALTER TABLE feedback.import_chunks ALTER COLUMN "Data" SET COMPRESSION pglz;
            """));
    }
}
