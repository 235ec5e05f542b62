using System.Collections.Concurrent;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Dedicated threads for rule evaluation. A compiled expression cannot be interrupted, so a runaway rule holds
/// its thread until it finishes; on the shared thread pool a burst of runaways would starve the timers and
/// request continuations the rest of the host needs ("ingest never stalls" would then be false). Here they hold
/// only these threads: a worker whose item was abandoned is replaced (up to <see cref="MaxStuck"/> at once), and
/// items waiting for a worker simply time out and fall back while the callers' timers keep firing.
/// </summary>
internal sealed class EvaluationWorkers
{
    /// <summary>Threads that may be held by abandoned work at once, beyond the regular workers.</summary>
    public const int MaxStuck = 16;

    private const int Queued = 0;
    private const int Running = 1;
    private const int Done = 2;
    private const int Cancelled = 3;
    private const int AbandonedRunning = 4;

    // More workers than cores: the work is CPU-bound, but spare workers keep one runaway from queueing others behind it.
    private static readonly Lazy<EvaluationWorkers> Instance = new(() => new EvaluationWorkers(Math.Max(4, 2 * Environment.ProcessorCount)));

    private readonly BlockingCollection<Item> _queue = new(new ConcurrentQueue<Item>());
    private readonly int _size;
    private int _threads;
    private int _stuck;
    private int _names;

    private EvaluationWorkers(int size)
    {
        _size = size;
        for (var i = 0; i < size; i++)
        {
            StartThread();
        }
    }

    /// <summary>One set of workers per process, shared by every engine.</summary>
    public static EvaluationWorkers Shared => Instance.Value;

    public int Stuck => Volatile.Read(ref _stuck);

    /// <summary>Queues <paramref name="work"/>; the handle completes with its result and can abandon it.</summary>
    public Handle<T> Run<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var item = new Item(() =>
        {
            try
            {
                completion.TrySetResult(work());
            }
            catch (Exception ex)
            {
                completion.TrySetException(ex);
            }
        }, () => completion.TrySetCanceled());
        _queue.Add(item);
        return new Handle<T>(completion.Task, item, this);
    }

    private void Abandon(Item item)
    {
        if (Interlocked.CompareExchange(ref item.State, Cancelled, Queued) == Queued)
        {
            item.Cancel();
            return;
        }

        if (Interlocked.CompareExchange(ref item.State, AbandonedRunning, Running) == Running && Interlocked.Increment(ref _stuck) <= MaxStuck)
        {
            StartThread();
        }
    }

    private void StartThread()
    {
        Interlocked.Increment(ref _threads);
        new Thread(Work) { IsBackground = true, Name = $"rules-evaluation-{Interlocked.Increment(ref _names)}" }.Start();
    }

    private void Work()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            if (Interlocked.CompareExchange(ref item.State, Running, Queued) != Queued)
            {
                continue;
            }

            item.Body();
            if (Interlocked.CompareExchange(ref item.State, Done, Running) == AbandonedRunning)
            {
                // This thread was replaced while it was held; leave if the pool is now larger than it needs to be.
                var stuck = Interlocked.Decrement(ref _stuck);
                if (Volatile.Read(ref _threads) > _size + Math.Min(stuck, MaxStuck))
                {
                    Interlocked.Decrement(ref _threads);
                    return;
                }
            }
        }
    }

    internal sealed class Item(Action body, Action cancel)
    {
        public int State = Queued;

        public Action Body { get; } = body;

        public Action Cancel { get; } = cancel;
    }

    /// <summary>The queued work: its task, and a way to give up on it (a queued item is dropped, a running one left to finish).</summary>
    public readonly struct Handle<T>
    {
        private readonly Item _item;
        private readonly EvaluationWorkers _workers;

        internal Handle(Task<T> task, Item item, EvaluationWorkers workers)
        {
            Task = task;
            _item = item;
            _workers = workers;
        }

        public Task<T> Task { get; }

        public void Abandon() => _workers.Abandon(_item);
    }
}
