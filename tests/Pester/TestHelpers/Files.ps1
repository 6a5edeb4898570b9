# Files that another process may be writing, or that SQLite holds open.

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
