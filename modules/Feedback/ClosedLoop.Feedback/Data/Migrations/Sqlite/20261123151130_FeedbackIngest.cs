using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClosedLoop.Feedback.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FeedbackIngest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "feedback_customer_versions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ValidFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FeedbackId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Region = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    Segment = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    Language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: true),
                    AccountValue = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_customer_versions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_customers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Region = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    Segment = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    Language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: true),
                    AccountValue = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true),
                    FirstSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AttributesAsOf = table.Column<long>(type: "INTEGER", nullable: false),
                    FeedbackCount = table.Column<int>(type: "INTEGER", nullable: false),
                    LastScore = table.Column<int>(type: "INTEGER", nullable: true),
                    LastFeedbackAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ErasedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_customers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_idempotency_keys",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    RequestHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FeedbackId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_idempotency_keys", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "feedback_import_chunks",
                columns: table => new
                {
                    ImportId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    Data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_import_chunks", x => new { x.ImportId, x.Index });
                });

            migrationBuilder.CreateTable(
                name: "feedback_import_errors",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ImportId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Line = table.Column<long>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_import_errors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_imports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    DefaultSource = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    DefaultChannel = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TotalBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    ChunkCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Offset = table.Column<long>(type: "INTEGER", nullable: false),
                    LineNumber = table.Column<long>(type: "INTEGER", nullable: false),
                    Header = table.Column<string>(type: "TEXT", nullable: true),
                    RowsRead = table.Column<long>(type: "INTEGER", nullable: false),
                    Accepted = table.Column<long>(type: "INTEGER", nullable: false),
                    Duplicates = table.Column<long>(type: "INTEGER", nullable: false),
                    Conflicts = table.Column<long>(type: "INTEGER", nullable: false),
                    Rejected = table.Column<long>(type: "INTEGER", nullable: false),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    LockToken = table.Column<Guid>(type: "TEXT", nullable: true),
                    Failures = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_imports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_items",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Score = table.Column<int>(type: "INTEGER", nullable: true),
                    Category = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Attributes = table.Column<string>(type: "TEXT", nullable: true),
                    ContentHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ImportId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ErasedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_items", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_customer_versions_CustomerId_ValidFrom",
                table: "feedback_customer_versions",
                columns: new[] { "CustomerId", "ValidFrom" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_customers_ExternalId",
                table: "feedback_customers",
                column: "ExternalId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_idempotency_keys_CreatedAt",
                table: "feedback_idempotency_keys",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_import_errors_ImportId_Line",
                table: "feedback_import_errors",
                columns: new[] { "ImportId", "Line" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_imports_Status_CreatedAt",
                table: "feedback_imports",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_items_Category_SubmittedAt",
                table: "feedback_items",
                columns: new[] { "Category", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_items_CustomerId_SubmittedAt",
                table: "feedback_items",
                columns: new[] { "CustomerId", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_items_ImportId",
                table: "feedback_items",
                column: "ImportId");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_items_Source_ExternalId",
                table: "feedback_items",
                columns: new[] { "Source", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_items_SubmittedAt_Id",
                table: "feedback_items",
                columns: new[] { "SubmittedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feedback_customer_versions");

            migrationBuilder.DropTable(
                name: "feedback_customers");

            migrationBuilder.DropTable(
                name: "feedback_idempotency_keys");

            migrationBuilder.DropTable(
                name: "feedback_import_chunks");

            migrationBuilder.DropTable(
                name: "feedback_import_errors");

            migrationBuilder.DropTable(
                name: "feedback_imports");

            migrationBuilder.DropTable(
                name: "feedback_items");
        }
    }
}
