using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Shares immutable explanation parts that repeat from item to item. An explanation is built of shared pieces
/// (a rule's trace when it did not hold, a contribution as applied, …), and most items combine them in one of a
/// few ways: a region rule matched and the catch-all was overridden, a detractor rule set everything. Such a
/// combination is looked up by the identity of its pieces and the first item's copy is kept, so a routed batch
/// holds one reference per item instead of objects of its own (results live until their chunk is written, and
/// short-lived copies would each be promoted by the collector: bench/README.md, "Rules").
/// </summary>
/// <remarks>Bounded: once <paramref name="capacity"/> combinations are kept, new ones are simply not shared.</remarks>
internal sealed class InternTable<TPart, TWhole>(int capacity)
    where TPart : class
    where TWhole : class
{
    private readonly ConcurrentDictionary<TPart[], TWhole> _table = new(SameParts.Instance);
    private int _count;

    /// <summary>The kept whole made of exactly <paramref name="parts"/> (by identity), else the one <paramref name="create"/> makes.</summary>
    public TWhole Intern<TState>(TPart[] parts, TState state, Func<TPart[], TState, TWhole> create)
    {
        if (_table.TryGetValue(parts, out var kept))
        {
            return kept;
        }

        var whole = create(parts, state);
        if (Volatile.Read(ref _count) < capacity && _table.TryAdd(parts, whole))
        {
            Interlocked.Increment(ref _count);
        }

        return whole;
    }

    private sealed class SameParts : IEqualityComparer<TPart[]>
    {
        public static readonly SameParts Instance = new();

        public bool Equals(TPart[]? x, TPart[]? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }

            if (x is null || y is null || x.Length != y.Length)
            {
                return false;
            }

            for (var i = 0; i < x.Length; i++)
            {
                if (!ReferenceEquals(x[i], y[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(TPart[] parts)
        {
            var hash = default(HashCode);
            foreach (var part in parts)
            {
                hash.Add(RuntimeHelpers.GetHashCode(part));
            }

            return hash.ToHashCode();
        }
    }
}
