namespace ClosedLoop.Feedback.Imports;

/// <summary>
/// A sliding view over an upload's stored pieces: the unread bytes of the current piece, plus the tail of
/// the previous one while a row spans the boundary. At most one row and one piece are in memory.
/// </summary>
internal sealed class ChunkWindow
{
    private readonly Func<int, CancellationToken, Task<byte[]>> _load;
    private readonly int _count;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private int _next;
    private long _bufferOffset;

    private ChunkWindow(Func<int, CancellationToken, Task<byte[]>> load, int count)
    {
        _load = load;
        _count = count;
    }

    /// <summary>The bytes loaded and not yet consumed.</summary>
    public ReadOnlySpan<byte> Data => _buffer.AsSpan(_start, _end - _start);

    /// <summary>No piece is left to load: <see cref="Data"/> runs to the end of the file.</summary>
    public bool Final => _next >= _count;

    /// <summary>The file offset of the first byte of <see cref="Data"/>.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Opens the window at <paramref name="offset"/>, given each piece's length in order.</summary>
    public static async Task<ChunkWindow> OpenAsync(
        IReadOnlyList<int> lengths, long offset, Func<int, CancellationToken, Task<byte[]>> load, CancellationToken cancellationToken)
    {
        var window = new ChunkWindow(load, lengths.Count);
        long start = 0;
        for (var index = 0; index < lengths.Count; index++)
        {
            if (offset < start + lengths[index])
            {
                window._buffer = await load(index, cancellationToken);
                window._bufferOffset = start;
                window._start = (int)(offset - start);
                window._end = window._buffer.Length;
                window._next = index + 1;
                return window;
            }

            start += lengths[index];
        }

        window._bufferOffset = start;
        window._next = lengths.Count;
        return window;
    }

    public void Advance(int count) => _start += count;

    /// <summary>Appends the next piece, keeping the unconsumed bytes in front of it.</summary>
    public async Task FillAsync(CancellationToken cancellationToken)
    {
        var chunk = await _load(_next++, cancellationToken);
        var kept = _end - _start;
        if (kept == 0)
        {
            _bufferOffset += _end;
            (_buffer, _start, _end) = (chunk, 0, chunk.Length);
            return;
        }

        var buffer = kept + chunk.Length <= _buffer.Length ? _buffer : new byte[kept + chunk.Length];
        _buffer.AsSpan(_start, kept).CopyTo(buffer);
        chunk.CopyTo(buffer.AsSpan(kept));
        _bufferOffset += _start;
        (_buffer, _start, _end) = (buffer, 0, kept + chunk.Length);
    }
}
