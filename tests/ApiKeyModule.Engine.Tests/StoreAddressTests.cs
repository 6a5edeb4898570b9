using System.Data.Common;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class StoreAddressTests
    {
        [Theory]
        [InlineData("/srv/keys/apikeys.db", false)]
        [InlineData("C:\\keys\\apikeys.db", false)]
        [InlineData("keys=old.db", false)]
        [InlineData("Host=db;Database=keys;Username=admin", true)]
        [InlineData("server = db ; database = keys", true)]
        [InlineData("postgresql://admin@db/keys", true)]
        [InlineData("postgres://db", true)]
        [InlineData("", false)]
        public void Tells_a_server_from_a_file(string text, bool isPostgres) =>
            Assert.Equal(isPostgres, StoreAddress.IsPostgres(text));

        [Fact]
        public void A_uri_becomes_the_connection_string_Npgsql_takes()
        {
            var builder = new DbConnectionStringBuilder
            {
                ConnectionString = StoreAddress.ToConnectionString("postgresql://ad%40min:p%3Bw=d@db.example:6543/api%20keys?sslmode=verify-full&application_name=svc"),
            };
            Assert.Equal("ad@min", builder["Username"]);
            Assert.Equal("p;w=d", builder["Password"]);
            Assert.Equal("db.example", builder["Host"]);
            Assert.Equal("6543", builder["Port"]);
            Assert.Equal("api keys", builder["Database"]);
            Assert.Equal("VerifyFull", builder["SSL Mode"]);
            Assert.Equal("svc", builder["Application Name"]);
        }

        [Fact]
        public void A_uri_with_several_hosts_and_no_user_keeps_them()
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = StoreAddress.ToConnectionString("postgres://a:5433,b:5433/keys") };
            Assert.Equal("a,b", builder["Host"]);
            Assert.Equal("5433", builder["Port"]);
            Assert.False(builder.ContainsKey("Username"));
        }

        [Fact]
        public void A_uri_parameter_that_is_not_understood_is_refused_without_the_password()
        {
            var e = Assert.Throws<ApiKeyException>(() => StoreAddress.ToConnectionString("postgresql://u:secret@db/keys?frobnicate=1"));
            Assert.Equal("StoreUnavailable", e.ErrorId);
            Assert.DoesNotContain("secret", e.Message);
        }

        [Fact]
        public void A_connection_string_is_kept_as_given() =>
            Assert.Equal("Host=db;Database=keys", StoreAddress.ToConnectionString("  Host=db;Database=keys "));
    }
}
