using System.Buffers;
using System.Text.Json;

namespace ClosedLoop.Bench.Load.Data;

/// <summary>The body of <c>POST /api/v1/feedback</c> (API.md's item shape), written straight to UTF-8.</summary>
internal static class FeedbackJson
{
    public static byte[] Serialize(FeedbackRecord item)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("source", item.Source);
            json.WriteString("externalId", item.ExternalId);
            json.WriteString("channel", item.Channel);
            json.WriteString("submittedAt", item.SubmittedAt);
            if (item.Score is { } score)
            {
                json.WriteNumber("score", score);
            }

            if (item.Comment is { } comment)
            {
                json.WriteString("comment", comment);
            }

            var customer = item.Customer;
            json.WriteStartObject("customer");
            json.WriteString("externalId", customer.ExternalId);
            json.WriteString("email", customer.Email);
            json.WriteString("name", customer.Name);
            json.WriteString("region", customer.Region);
            json.WriteString("segment", customer.Segment);
            json.WriteString("language", customer.Language);
            json.WriteNumber("accountValue", customer.AccountValue);
            json.WriteEndObject();
            json.WriteStartObject("attributes");
            json.WriteString("product", item.Product);
            json.WriteString("orderId", item.OrderId);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
