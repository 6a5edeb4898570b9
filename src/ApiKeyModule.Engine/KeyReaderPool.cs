using System;
using System.Collections.Generic;
using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// The read connections of a verifier: opened as concurrent verifications need them, up to a bound (a caller beyond it
    /// waits for one to be given back), and kept until the verifier is disposed. A reader given back after that is closed.
    /// </summary>
    internal sealed class KeyReaderPool<T> : IDisposable
        where T : class, IKeyReader, IDisposable
    {
        /// <summary>Two per core, at least 4 and at most 16: a verification holds its reader for microseconds.</summary>
        public static readonly int DefaultSize = Math.Max(4, Math.Min(16, 2 * Environment.ProcessorCount));

        private readonly Func<T> open;
        private readonly int size;
        private readonly Stack<T> idle = new Stack<T>();
        private int opened;
        private bool disposed;

        public KeyReaderPool(Func<T> open, int size)
        {
            this.open = open;
            this.size = size;
        }

        public T Rent()
        {
            lock (idle)
            {
                while (true)
                {
                    if (disposed)
                    {
                        throw new ObjectDisposedException(nameof(ApiKeyVerifier));
                    }
                    if (idle.Count > 0)
                    {
                        return idle.Pop();
                    }
                    if (opened < size)
                    {
                        opened++;
                        break;
                    }
                    Monitor.Wait(idle);
                }
            }
            try
            {
                return open();
            }
            catch
            {
                Forget();
                throw;
            }
        }

        public void Return(T reader)
        {
            lock (idle)
            {
                if (!disposed)
                {
                    idle.Push(reader);
                    Monitor.Pulse(idle);
                    return;
                }
            }
            Forget();
            reader.Dispose();
        }

        public void Dispose()
        {
            T[] closing;
            lock (idle)
            {
                disposed = true;
                closing = idle.ToArray();
                idle.Clear();
                opened -= closing.Length;
                Monitor.PulseAll(idle);
            }
            foreach (T reader in closing)
            {
                reader.Dispose();
            }
        }

        private void Forget()
        {
            lock (idle)
            {
                opened--;
                Monitor.Pulse(idle);
            }
        }
    }
}
