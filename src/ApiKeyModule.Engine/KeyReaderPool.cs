using System;
using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// The read connections of a verifier: opened as concurrent verifications need them, up to a bound (a caller beyond it
    /// waits for one to be given back), and kept until the verifier is disposed; one given back after that is closed.
    /// Renting takes no lock: each idle reader sits in a slot of its own (a cache line apart), and a thread looks first
    /// in the slot its id points to, so threads on different cores do not contend for one lock or line.
    /// </summary>
    internal sealed class KeyReaderPool<T> : IDisposable
        where T : class, IKeyReader, IDisposable
    {
        /// <summary>Two per core, at least 4 and at most 16: a verification holds its reader for microseconds.</summary>
        public static readonly int DefaultSize = Math.Max(4, Math.Min(16, 2 * Environment.ProcessorCount));

        // References 64 bytes apart, so that two slots never share a cache line.
        private const int Spacing = 8;
        private readonly Func<T> open;
        private readonly Action? closed;
        private readonly int size;
        private readonly T?[] slots;
        private readonly object gate = new object();
        private int opened;
        private int waiting;
        private int closing;
        private volatile bool disposed;

        /// <summary>
        /// A pool of at most <paramref name="size"/> readers made by <paramref name="open"/>; <paramref name="closed"/> is
        /// called once the pool is disposed and every reader is closed (given back).
        /// </summary>
        public KeyReaderPool(Func<T> open, int size, Action? closed = null)
        {
            this.open = open;
            this.closed = closed;
            this.size = size;
            slots = new T[size * Spacing];
        }

        public T Rent()
        {
            int start = Environment.CurrentManagedThreadId;
            while (true)
            {
                if (disposed)
                {
                    throw new ObjectDisposedException(nameof(ApiKeyVerifier));
                }
                for (int k = 0; k < size; k++)
                {
                    T? reader = Interlocked.Exchange(ref slots[Slot(start + k)], null);
                    if (reader != null)
                    {
                        return reader;
                    }
                }
                if (Interlocked.Increment(ref opened) <= size)
                {
                    T opening;
                    try
                    {
                        opening = open();
                    }
                    catch
                    {
                        Forget();
                        throw;
                    }
                    if (disposed)
                    {
                        // Disposed while this one opened: it is not used (what it reads through may be closed already).
                        opening.Dispose();
                        Forget();
                        throw new ObjectDisposedException(nameof(ApiKeyVerifier));
                    }
                    return opening;
                }
                Interlocked.Decrement(ref opened);
                lock (gate)
                {
                    // Woken by a reader given back; the timeout covers one given back between the look and the wait.
                    waiting++;
                    Monitor.Wait(gate, 10);
                    waiting--;
                }
            }
        }

        public void Return(T reader)
        {
            if (!disposed)
            {
                int start = Environment.CurrentManagedThreadId;
                for (int k = 0; k < size; k++)
                {
                    int slot = Slot(start + k);
                    if (Interlocked.CompareExchange(ref slots[slot], reader, null) == null)
                    {
                        // Disposed meanwhile: whichever of this and Dispose takes the reader out closes it.
                        if (disposed && Interlocked.CompareExchange(ref slots[slot], null, reader) == reader)
                        {
                            break;
                        }
                        if (Volatile.Read(ref waiting) > 0)
                        {
                            lock (gate)
                            {
                                Monitor.PulseAll(gate);
                            }
                        }
                        return;
                    }
                }
            }
            Forget();
            reader.Dispose();
        }

        /// <summary>Runs <paramref name="action"/> on each idle reader, taken out of its slot meanwhile (no verification can rent it).</summary>
        public void Visit(Action<T> action)
        {
            for (int slot = 0; slot < slots.Length; slot += Spacing)
            {
                T? reader = Interlocked.Exchange(ref slots[slot], null);
                if (reader != null)
                {
                    try
                    {
                        action(reader);
                    }
                    finally
                    {
                        Return(reader);
                    }
                }
            }
        }

        public void Dispose()
        {
            disposed = true;
            for (int slot = 0; slot < slots.Length; slot += Spacing)
            {
                T? reader = Interlocked.Exchange(ref slots[slot], null);
                if (reader != null)
                {
                    Forget();
                    reader.Dispose();
                }
            }
            lock (gate)
            {
                Monitor.PulseAll(gate);
            }
            CloseIfDone();
        }

        private int Slot(int index) => (index & int.MaxValue) % size * Spacing;

        private void Forget()
        {
            Interlocked.Decrement(ref opened);
            if (Volatile.Read(ref waiting) > 0)
            {
                lock (gate)
                {
                    Monitor.PulseAll(gate);
                }
            }
            CloseIfDone();
        }

        private void CloseIfDone()
        {
            if (disposed && Volatile.Read(ref opened) == 0 && Interlocked.Exchange(ref closing, 1) == 0)
            {
                closed?.Invoke();
            }
        }
    }
}
