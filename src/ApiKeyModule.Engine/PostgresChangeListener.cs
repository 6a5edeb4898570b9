using System;
using System.Diagnostics;
using System.Threading;
using Npgsql;

namespace ApiKeyModule
{
    /// <summary>
    /// Keeps a verifier's cache honest across hosts. A background thread holds one connection that LISTENs on the store's
    /// channel, where every change to a key is announced at commit (see <see cref="PostgresSchema"/>), and every 250 ms
    /// reads the store's count of changes, in case an announcement was missed. <see cref="Version"/> moves on each
    /// announcement, each new count, each lost connection and each reconnection. A cached key is trusted only while the
    /// last count read was asked for less than 750 ms ago: a verifier whose listener is slow, cut off or reconnecting
    /// reads every key from the store instead, so no change stays unseen for longer than that, whatever happens to the
    /// connection.
    /// </summary>
    internal sealed class PostgresChangeListener : IDisposable
    {
        private const int PollMs = 250;
        private const int TrustMs = 750;
        // How long one wait for an announcement lasts: also how quickly the thread notices it must stop.
        private const int WaitSliceMs = 50;
        private const int MaxBackoffMs = 1000;
        private static readonly long TicksPerMs = Stopwatch.Frequency / 1000;
        private readonly string connectionString;
        private readonly string listen;
        private readonly string readCount;
        private readonly Thread thread;
        private long version;
        private long trustedUntil;
        private volatile bool stopping;

        public PostgresChangeListener(string connectionString, string schema, Guid storeId)
        {
            this.connectionString = connectionString;
            listen = "LISTEN " + PostgresSchema.Quote(PostgresSchema.Channel(storeId));
            readCount = "SELECT count FROM " + PostgresSchema.Quote(schema) + ".key_changes";
            thread = new Thread(Run) { IsBackground = true, Name = "ApiKeyModule change listener" };
            thread.Start();
        }

        /// <summary>
        /// Cheap (no round trip): called once per cache hit. While the listener cannot vouch for the cache, each call
        /// returns a new number, so that no cached key is used.
        /// </summary>
        public long Version
        {
            get
            {
                if (Stopwatch.GetTimestamp() > Volatile.Read(ref trustedUntil))
                {
                    return Interlocked.Increment(ref version);
                }
                return Volatile.Read(ref version);
            }
        }

        /// <summary>True while the listener vouches for the cache.</summary>
        public bool IsListening => Stopwatch.GetTimestamp() <= Volatile.Read(ref trustedUntil);

        public void Dispose()
        {
            stopping = true;
            thread.Join(TimeSpan.FromSeconds(5));
        }

        private void Run()
        {
            int backoffMs = 50;
            while (!stopping)
            {
                try
                {
                    Listen();
                }
                catch (Exception)
                {
                    // Whatever failed (the server, the network, the connection killed), what was cached is no longer
                    // vouched for; the thread must never end the process. Connect again, waiting longer each time.
                    Volatile.Write(ref trustedUntil, 0);
                    Interlocked.Increment(ref version);
                    for (int waited = 0; waited < backoffMs && !stopping; waited += WaitSliceMs)
                    {
                        Thread.Sleep(WaitSliceMs);
                    }
                    backoffMs = Math.Min(backoffMs * 2, MaxBackoffMs);
                }
            }
            Volatile.Write(ref trustedUntil, 0);
        }

        private void Listen()
        {
            using (NpgsqlConnection connection = PostgresTls.Connection(connectionString))
            {
                connection.Notification += (sender, e) => Interlocked.Increment(ref version);
                connection.Open();
                // Listening first: a change committed after the first count is read is announced, one before is counted.
                using (var command = new NpgsqlCommand(listen, connection))
                {
                    command.ExecuteNonQuery();
                }
                using (var count = new NpgsqlCommand(readCount, connection))
                {
                    long? seen = null;
                    while (!stopping)
                    {
                        long asked = Stopwatch.GetTimestamp();
                        // The table holds its one row from its creation (were it gone, the loop reconnects).
                        long current = (long)count.ExecuteScalar()!;
                        if (current != seen)
                        {
                            // The first count after connecting moves the version too: nothing was heard before.
                            Interlocked.Increment(ref version);
                            seen = current;
                        }
                        Volatile.Write(ref trustedUntil, asked + TrustMs * TicksPerMs);
                        long next = asked + PollMs * TicksPerMs;
                        while (!stopping && Stopwatch.GetTimestamp() < next)
                        {
                            connection.Wait(WaitSliceMs);
                        }
                    }
                }
            }
        }
    }
}
