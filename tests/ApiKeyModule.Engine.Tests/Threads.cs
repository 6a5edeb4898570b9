using System;
using System.Linq;
using System.Threading;

namespace ApiKeyModule.Tests
{
    internal static class Threads
    {
        /// <summary>Runs <paramref name="work"/> on <paramref name="threads"/> threads released at the same moment; returns what each threw.</summary>
        public static Exception[] AtOnce(int threads, Action<int> work)
        {
            var errors = new Exception[threads];
            using (var start = new Barrier(threads))
            {
                Thread[] running = Enumerable.Range(0, threads).Select(i => new Thread(() =>
                {
                    start.SignalAndWait();
                    try
                    {
                        work(i);
                    }
                    catch (Exception e)
                    {
                        errors[i] = e;
                    }
                })).ToArray();
                foreach (Thread thread in running)
                {
                    thread.Start();
                }
                foreach (Thread thread in running)
                {
                    thread.Join();
                }
            }
            return errors.Where(e => e != null).ToArray();
        }
    }
}
