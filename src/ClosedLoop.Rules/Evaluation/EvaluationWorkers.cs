using System.Collections.Concurrent;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Where rule evaluation runs. A compiled expression cannot be interrupted, so a runaway rule holds its thread
/// until it finishes; on the shared thread pool a burst of runaways would starve the timers and request
/// continuations the rest of the host needs ("ingest never stalls" would then be false). So evaluation runs on
/// dedicated threads: a worker whose item was abandoned is replaced (up to <see cref="MaxStuck"/> at once), and
/// items waiting for a worker simply time out and fall back while the callers' timers keep firing.
/// </summary>
/// <remarks>
/// Waking a dedicated worker and then the caller's continuation costs two thread wake-ups per hand-off, more
/// than evaluating an item (bench/README.md). So live routing of published sets (<see cref="RunNearby{T}"/>; not
/// validation, dry runs or warm-ups) runs on the thread pool instead, queued to the caller's own thread, which
/// picks it up as soon as the caller has yielded it. The pool is exposed only as far as this bounds: at most
/// <see cref="PoolSlots"/> such evaluations at once (half the cores, so the pool always keeps threads for timers
/// and continuations), and none at all while one that was abandoned is still running; everything else goes to
/// the dedicated workers (decision 0024).
/// </remarks>
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

    /// <summary>Evaluations that may run on the thread pool at once: half the cores (none on a single core).</summary>
    private static readonly int PoolSlots = Environment.ProcessorCount / 2;

    private readonly BlockingCollection<Item> _queue = new(new ConcurrentQueue<Item>());
    private readonly int _size;
    private int _threads;
    private int _stuck;
    private int _names;
    private int _onPool;
    private int _stuckOnPool;

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

    /// <summary>Queues <paramref name="work"/> for a dedicated worker; the handle completes with its result and can abandon it.</summary>
    public Handle<T> Run<T>(Func<T> work) => Queue(work, nearby: false);

    /// <summary>
    /// Like <see cref="Run{T}"/>, but on the caller's thread-pool thread once it yields, while the pool may be
    /// used (see the remarks on the class); otherwise on a dedicated worker.
    /// </summary>
    public Handle<T> RunNearby<T>(Func<T> work) => Queue(work, nearby: true);

    private Handle<T> Queue<T>(Func<T> work, bool nearby)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        T? result = default;
        Exception? error = null;
        var item = new Item(
            () =>
            {
                try
                {
                    result = work();
                }
                catch (Exception ex)
                {
                    error = ex;
                }
            },
            () => _ = error is null ? completion.TrySetResult(result!) : completion.TrySetException(error),
            () => completion.TrySetCanceled());
        if (nearby && TryTakePoolSlot())
        {
            item.OnPool = true;
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Workers.RunOnPool(state.Item), (Workers: this, Item: item), preferLocal: true);
        }
        else
        {
            _queue.Add(item);
        }

        return new Handle<T>(completion.Task, item, this);
    }

    private bool TryTakePoolSlot()
    {
        if (Volatile.Read(ref _stuckOnPool) > 0)
        {
            return false;
        }

        var taken = Volatile.Read(ref _onPool);
        while (taken < PoolSlots)
        {
            var seen = Interlocked.CompareExchange(ref _onPool, taken + 1, taken);
            if (seen == taken)
            {
                return true;
            }

            taken = seen;
        }

        return false;
    }

    private void RunOnPool(Item item)
    {
        try
        {
            if (Interlocked.CompareExchange(ref item.State, Running, Queued) != Queued)
            {
                return;
            }

            item.Body();
            if (Interlocked.CompareExchange(ref item.State, Done, Running) == AbandonedRunning)
            {
                Interlocked.Decrement(ref _stuckOnPool);
            }
        }
        finally
        {
            // Before the caller hears of it, so whatever it routes next may run here again.
            Interlocked.Decrement(ref _onPool);
        }

        item.Complete();
    }

    private void Abandon(Item item)
    {
        if (Interlocked.CompareExchange(ref item.State, Cancelled, Queued) == Queued)
        {
            item.Cancel();
            return;
        }

        if (Interlocked.CompareExchange(ref item.State, AbandonedRunning, Running) != Running)
        {
            return;
        }

        if (item.OnPool)
        {
            // It keeps its pool thread until it finishes; until then nothing else runs on the pool.
            Interlocked.Increment(ref _stuckOnPool);
        }
        else if (Interlocked.Increment(ref _stuck) <= MaxStuck)
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
                    item.Complete();
                    return;
                }
            }

            item.Complete();
        }
    }

    /// <summary>Work to run: <see cref="Body"/> runs it, <see cref="Complete"/> (after the bookkeeping) tells the caller; <see cref="Cancel"/> if it never ran.</summary>
    internal sealed class Item(Action body, Action complete, Action cancel)
    {
        public int State = Queued;

        /// <summary>Queued to the thread pool rather than to a dedicated worker (set before it is queued).</summary>
        public bool OnPool;

        public Action Body { get; } = body;

        public Action Complete { get; } = complete;

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
