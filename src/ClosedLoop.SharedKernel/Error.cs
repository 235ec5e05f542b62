namespace ClosedLoop.SharedKernel;

/// <summary>What kind of failure an <see cref="Error"/> is; the host maps each kind to one HTTP status.</summary>
public enum ErrorKind
{
    Validation,
    NotFound,
    Conflict,
    PreconditionFailed,
    Forbidden,
}

/// <summary>An expected failure of a use case, with a stable machine-readable code.</summary>
public sealed record Error(ErrorKind Kind, string Code, string Message)
{
    /// <summary>Field name → messages, for validation errors.</summary>
    public IReadOnlyDictionary<string, string[]> Fields { get; init; } = new Dictionary<string, string[]>();

    public static Error NotFound(string code, string message) => new(ErrorKind.NotFound, code, message);

    public static Error Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);

    public static Error Validation(IReadOnlyDictionary<string, string[]> fields, string message = "One or more fields are invalid.") =>
        new(ErrorKind.Validation, "validation", message) { Fields = fields };
}
