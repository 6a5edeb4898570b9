# Everything a store holds, row by row, to compare before and after a command; and a key's secret as the store keeps it.

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
