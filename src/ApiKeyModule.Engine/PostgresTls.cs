using System;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace ApiKeyModule
{
    /// <summary>
    /// Server certificates checked against the CA a connection string names (<c>SSL Mode=VerifyFull</c> or <c>VerifyCA</c>
    /// with <c>Root Certificate=ca.pem</c>). Npgsql's own check of a given root does not work in its netstandard2.0 build,
    /// which this module ships, so the connection runs with <c>SSL Mode=Require</c> (TLS, no check by Npgsql) and this
    /// callback checks the chain up to that CA, and for VerifyFull the server's name, before anything is sent.
    /// </summary>
    internal static class PostgresTls
    {
        /// <summary>Opens a connection, with the certificate check the given string asks for.</summary>
        public static NpgsqlConnection Connection(string connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            string? rootFile = builder.RootCertificate;
            if (rootFile == null || rootFile.Length == 0 || (builder.SslMode != SslMode.VerifyCA && builder.SslMode != SslMode.VerifyFull))
            {
                return new NpgsqlConnection(connectionString);
            }
            bool checkName = builder.SslMode == SslMode.VerifyFull;
            X509Certificate2Collection roots = Roots(rootFile);
            builder.SslMode = SslMode.Require;
            builder.RootCertificate = null;
            // Npgsql pools connections by their string, which no longer names the CA: a pooled connection checked
            // against one CA must never serve a string that names another.
            builder.Pooling = false;
            return new NpgsqlConnection(builder.ConnectionString)
            {
                UserCertificateValidationCallback = (sender, certificate, chain, errors) => IsTrusted(certificate, errors, roots, checkName),
            };
        }

        private static X509Certificate2Collection Roots(string path)
        {
            var roots = new X509Certificate2Collection();
            roots.Import(path);
            return roots;
        }

        private static bool IsTrusted(X509Certificate certificate, SslPolicyErrors errors, X509Certificate2Collection roots, bool checkName)
        {
            if (certificate == null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return false;
            }
            if (checkName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                // The CA need not be trusted by the system: the chain must end at one of the given roots instead.
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                chain.ChainPolicy.ExtraStore.AddRange(roots);
                if (!chain.Build(new X509Certificate2(certificate)))
                {
                    return false;
                }
                X509Certificate2 anchor = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
                return roots.Cast<X509Certificate2>().Any(root => root.RawData.SequenceEqual(anchor.RawData));
            }
        }
    }
}
