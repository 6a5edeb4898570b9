using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>UnixFileStatus (lstat through the runtime's shim) and UnixPermissions.CreatePrivateFolder; Unix only.</summary>
    public class UnixFileStatusTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "apikeymodule-xunit-" + Guid.NewGuid().ToString("N"));

        public UnixFileStatusTests()
        {
            Directory.CreateDirectory(folder);
        }

        public void Dispose()
        {
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }

        [Fact]
        public void A_file_gives_its_type_permissions_and_owner()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            string file = Path.Combine(folder, "file");
            File.WriteAllText(file, "x");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

            UnixFileStatus status = UnixFileStatus.Lstat(file);

            Assert.True(status.IsRegularFile);
            Assert.False(status.IsDirectory);
            Assert.False(status.IsSymbolicLink);
            Assert.Equal(Convert.ToUInt32("640", 8), status.Permissions);
            Assert.True(status.IsOpenToGroupOrOthers);
            Assert.Equal(Output("id", "-u"), status.UserId.ToString());
            Assert.Equal(Output("id", "-g"), status.GroupId.ToString());
            Assert.True(status.IsOwnedByCurrentUser);
        }

        [Fact]
        public void A_private_folder_is_a_directory_closed_to_group_and_others()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            UnixFileStatus status = UnixFileStatus.Lstat(folder);

            Assert.True(status.IsDirectory);
            Assert.Equal(Convert.ToUInt32("700", 8), status.Permissions);
            Assert.False(status.IsOpenToGroupOrOthers);
        }

        [Fact]
        public void A_symbolic_link_is_described_not_followed()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            string link = Path.Combine(folder, "link");
            File.CreateSymbolicLink(link, folder);

            UnixFileStatus status = UnixFileStatus.Lstat(link);

            Assert.True(status.IsSymbolicLink);
            Assert.False(status.IsDirectory);
        }

        [Fact]
        public void Nothing_there_is_null()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            string file = Path.Combine(folder, "file");
            File.WriteAllText(file, "x");

            Assert.Null(UnixFileStatus.Lstat(Path.Combine(folder, "missing")));
            Assert.Null(UnixFileStatus.Lstat(Path.Combine(file, "under-a-file")));
        }

        [Fact]
        public void A_new_private_folder_is_0700_with_its_parents_and_one_there_is_left_as_it_is()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            string created = Path.Combine(folder, "parent", "private");

            Assert.True(UnixPermissions.CreatePrivateFolder(created));
            Assert.Equal(Convert.ToUInt32("700", 8), UnixFileStatus.Lstat(created).Permissions);
            Assert.Equal(Convert.ToUInt32("700", 8), UnixFileStatus.Lstat(Path.GetDirectoryName(created)).Permissions);

            string open = Path.Combine(folder, "open");
            Directory.CreateDirectory(open);
            File.SetUnixFileMode(open, (UnixFileMode)Convert.ToInt32("777", 8));
            Assert.False(UnixPermissions.CreatePrivateFolder(open));
            Assert.Equal(Convert.ToUInt32("777", 8), UnixFileStatus.Lstat(open).Permissions);
        }

        private static string Output(string program, string argument)
        {
            var start = new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, UseShellExecute = false };
            using (Process process = Process.Start(start))
            {
                string output = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                return output;
            }
        }
    }
}
