# The watcher of the permission test (Secrets.Tests.ps1): while another process creates the stores
# $Base/f<i>/keys.db (i = 0 .. $Count-1, one after the other), it reads the mode of each store's folder, file, -wal
# and -shm as fast as it can (a compiled loop, one stat per look), watching store i and i+1 until store i+1 appears,
# so that it looks at every store from before its folder exists until after it is in use. Every mode it ever sees is
# counted; the result (JSON) lists them, so the test can require that nothing but 0700 (folder) and 0600 (files)
# was ever seen.
param(
    [Parameter(Mandatory)] [string] $Base,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [string] $ReadyFile,
    [Parameter(Mandatory)] [string] $DoneFile,
    [Parameter(Mandatory)] [string] $ResultFile
)
$ErrorActionPreference = 'Stop'

Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;

public static class ModePoller
{
    // kind -> mode (octal) -> times seen
    public static Dictionary<string, Dictionary<string, long>> Seen = new Dictionary<string, Dictionary<string, long>>();
    public static long Looks;
    // Stores whose folder was seen before their file existed: the watcher was looking while the store was created.
    public static int SeenBeingCreated;

    private static void Look(string kind, FileSystemInfo item)
    {
        Looks++;
        item.Refresh();
        if (!item.Exists)
        {
            return;
        }
        string mode = Convert.ToString((int)item.UnixFileMode & 0xFFF, 8).PadLeft(4, '0');
        Dictionary<string, long> modes;
        if (!Seen.TryGetValue(kind, out modes))
        {
            modes = new Dictionary<string, long>();
            Seen[kind] = modes;
        }
        long count;
        modes.TryGetValue(mode, out count);
        modes[mode] = count + 1;
    }

    public static void Run(string baseDir, int count, string doneFile)
    {
        var items = new FileSystemInfo[count][];
        for (int i = 0; i < count; i++)
        {
            string folder = Path.Combine(baseDir, "f" + i);
            string file = Path.Combine(folder, "keys.db");
            items[i] = new FileSystemInfo[] { new DirectoryInfo(folder), new FileInfo(file), new FileInfo(file + "-wal"), new FileInfo(file + "-shm") };
        }
        string[] kinds = { "folder", "file", "wal", "shm" };
        var creationSeen = new bool[count];
        int current = 0;
        bool finalPass = false;
        for (long loop = 0; ; loop++)
        {
            int last = finalPass ? count - 1 : Math.Min(current + 1, count - 1);
            for (int i = finalPass ? 0 : current; i <= last; i++)
            {
                for (int k = 0; k < kinds.Length; k++)
                {
                    Look(kinds[k], items[i][k]);
                }
                if (!creationSeen[i] && items[i][0].Exists && !items[i][1].Exists)
                {
                    creationSeen[i] = true;
                    SeenBeingCreated++;
                }
            }
            if (finalPass)
            {
                return;
            }
            if (current + 1 < count && items[current + 1][1].Exists)
            {
                current++;
            }
            if ((loop & 1023) == 0 && File.Exists(doneFile))
            {
                finalPass = true;
            }
        }
    }
}
'@

$null = New-Item -ItemType File -Path $ReadyFile
[ModePoller]::Run($Base, $Count, $DoneFile)
[ordered]@{
    Looks            = [ModePoller]::Looks
    SeenBeingCreated = [ModePoller]::SeenBeingCreated
    Seen             = [ModePoller]::Seen
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $ResultFile
exit 0
