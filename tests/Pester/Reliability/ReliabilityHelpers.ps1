# Helpers shared by the reliability and security tests (issue 5: R1 load, R2 crashes, R3 bad input, R4 secrets,
# R5 upgrades). Dot-source it in BeforeAll, after importing the module:
#     BeforeAll { Import-Module $env:APIKEYMODULE_TEST_MODULE -Force; . (Join-Path $PSScriptRoot 'ReliabilityHelpers.ps1') }
# It brings in ../TestHelpers.ps1 (New-TestStorePath, Get-PwshCommand, ConvertTo-PSLiteral, Initialize-Sqlite, ...).

. (Join-Path $PSScriptRoot '../TestHelpers.ps1')

# Starts a child pwsh that runs the script file $File (in this folder, or a full path) with $Arguments; stdout and
# stderr are redirected and read asynchronously (so a full pipe never blocks the child). With -Umask the child runs
# under that umask (Unix), through /bin/sh. Returns the Process, with StdOutTask and StdErrTask attached.
function Start-PwshScript {
    param(
        [Parameter(Mandatory)] [string] $File,
        [string[]] $Arguments = @(),
        [string] $Umask
    )
    if (-not [IO.Path]::IsPathRooted($File)) { $File = Join-Path $PSScriptRoot $File }
    $pwsh = Get-PwshCommand
    $command = @($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $File) + $Arguments
    if ($Umask) {
        $command = @('/bin/sh', '-c', "umask $Umask && exec `"`$0`" `"`$@`"") + $command
    }
    Start-RedirectedProcess $command
}

# Waits for a child started by Start-PwshScript (a safety net against a hung child only, not a timing assertion)
# and returns what it did: ExitCode, StdOut, StdErr. A child still running after $TimeoutSeconds is killed and
# reported with ExitCode -1.
function Wait-PwshScript($Process, [int] $TimeoutSeconds = 300) {
    $exitCode = $null
    if (-not $Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Process.Kill($true)
        $exitCode = -1
    }
    $Process.WaitForExit()
    if ($null -eq $exitCode) { $exitCode = $Process.ExitCode }
    [pscustomobject]@{
        ExitCode = $exitCode
        StdOut   = $Process.StdOutTask.GetAwaiter().GetResult()
        StdErr   = $Process.StdErrTask.GetAwaiter().GetResult()
    }
}

# Waits until $Condition is true, polling every $IntervalMs; throws with $What after $TimeoutSeconds (a safety net).
function Wait-Until([scriptblock] $Condition, [string] $What, [int] $TimeoutSeconds = 120, [int] $IntervalMs = 10) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for: $What" }
        Start-Sleep -Milliseconds $IntervalMs
    }
}

# One value of a row as unambiguous text: its SQLite type and content (blobs in hex).
function ConvertTo-CellText($Value) {
    if ($null -eq $Value) { return 'NULL' }
    if ($Value -is [byte[]]) { return 'BLOB:' + [Convert]::ToHexString($Value) }
    if ($Value -is [string]) { return 'TEXT:' + $Value.Length + ':' + $Value }
    if ($Value -is [double]) { return 'REAL:' + $Value.ToString('R', [Globalization.CultureInfo]::InvariantCulture) }
    'INT:' + ([long]$Value).ToString([Globalization.CultureInfo]::InvariantCulture)
}

# Everything the store holds, table by table: the schema (and SQLite's user_version), then each table's rows in order
# (SQLite: by rowid; PostgreSQL: by the first column), each serialized to one line. Returns an ordered hashtable: table
# name -> string[] of rows.
function Get-StoreContent([string] $Path) {
    $content = [ordered]@{}
    if (Test-PostgresStore $Path) {
        $columns = Invoke-StoreRows $Path "SELECT table_name, column_name, data_type, column_default FROM information_schema.columns
            WHERE table_schema = @schema ORDER BY table_name, ordinal_position" @{ schema = Get-StoreSchema $Path }
        $content['(schema)'] = @($columns | ForEach-Object { (@($_.Values) | ForEach-Object { ConvertTo-CellText $_ }) -join '|' })
        $tables = @($columns | ForEach-Object { $_.table_name } | Select-Object -Unique)
        $order = 'ORDER BY 1'
    }
    else {
        $content['(user_version)'] = @([string](Invoke-StoreScalar $Path 'PRAGMA user_version'))
        $schema = Invoke-StoreRows $Path "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        $content['(schema)'] = @($schema | ForEach-Object { (@($_.Values) | ForEach-Object { ConvertTo-CellText $_ }) -join '|' })
        $tables = @($schema | Where-Object { $_.type -eq 'table' } | ForEach-Object { $_.name })
        $order = 'ORDER BY rowid'
    }
    foreach ($table in $tables) {
        $rows = Invoke-StoreRows $Path "SELECT * FROM `"$table`" $order"
        $content[$table] = @($rows | ForEach-Object {
                (@($_.GetEnumerator()) | ForEach-Object { $_.Key + '=' + (ConvertTo-CellText $_.Value) }) -join '|'
            })
    }
    $content
}

# SHA-256 (hex) of a store content (Get-StoreContent) or of one of its tables.
function Get-ContentHash([object[]] $Rows) {
    $text = ($Rows | ForEach-Object { $_ }) -join "`n"
    [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($text)))
}

function Get-StoreContentHash([string] $Path) {
    $content = Get-StoreContent $Path
    Get-ContentHash @($content.Keys | ForEach-Object { "## $_"; $content[$_] | ForEach-Object { Get-ContentHash @($_) } })
}

# SHA-256 of a key's secret part, as the store keeps it.
function Get-SecretHash([string] $Secret) {
    [Security.Cryptography.SHA256]::HashData([Text.Encoding]::ASCII.GetBytes($Secret))
}

# The secret part of a key "<id>-<secret>".
function Get-KeySecret([string] $Key) {
    $Key.Substring($Key.IndexOf('-') + 1)
}

# The complete lines of a file another process may be appending to (a last line without its "\n" is left out),
# one by one: collect them with @(Read-CompleteLine $path).
function Read-CompleteLine([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return }
    $stream = [IO.FileStream]::new($Path, 'Open', 'Read', 'ReadWrite, Delete')
    try {
        $buffer = [IO.MemoryStream]::new()
        $stream.CopyTo($buffer)
        $text = [Text.Encoding]::UTF8.GetString($buffer.ToArray())
    }
    finally { $stream.Dispose() }
    $end = $text.LastIndexOf("`n")
    if ($end -lt 0) { return }
    $text.Substring(0, $end).Split("`n")
}

# The bytes of a file, read even while SQLite holds it open; empty when it does not exist.
function Read-FileBytesShared([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return , [byte[]]@() }
    $stream = [IO.FileStream]::new($Path, 'Open', 'Read', 'ReadWrite, Delete')
    try {
        $buffer = [IO.MemoryStream]::new()
        $stream.CopyTo($buffer)
        , $buffer.ToArray()
    }
    finally { $stream.Dispose() }
}

# The names of the files in a folder (to check that nothing was added or removed next to a store).
function Get-FolderListing([string] $Folder) {
    @(Get-ChildItem -LiteralPath $Folder -Force | Sort-Object Name | ForEach-Object Name) -join ','
}
