# SQL on a test store directly, past the module, as another tool would run it.

# Set by Initialize-Sqlite. Each test file imports this module afresh (-Force), so each file must initialise SQLite
# itself, and runs the same alone as within the suite.
$script:SqliteInitialized = $false

# Makes sure SQLite's native library is initialised (by opening a throw-away store in $Folder, the test's $TestDrive),
# and lets tests name the module's own Microsoft.Data.Sqlite types: they live in the module's private load context,
# where PowerShell does not look up type names, so they are registered as type accelerators in this test session.
function Initialize-Sqlite([string] $Folder = $(throw 'Initialize-Sqlite takes the test''s folder: Initialize-Sqlite $TestDrive')) {
    [ApiKeyModule.ApiKeyStore]::Open((Join-Path $Folder "$([guid]::NewGuid()).db")).Dispose()
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([ApiKeyModule.ApiKeyStore].Assembly)
    $sqlite = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
    $accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
    foreach ($name in 'SqliteConnection', 'SqliteConnectionStringBuilder', 'SqliteException', 'SqliteOpenMode') {
        $accelerators::Add("Microsoft.Data.Sqlite.$name", $sqlite.GetType("Microsoft.Data.Sqlite.$name", $true))
    }
    $script:SqliteInitialized = $true
}

# A connection to a test store that bypasses the module, as another tool would open it: the file, with the module's own
# Microsoft.Data.Sqlite, or the store's schema on the test server, with the module's own Npgsql. Not pooled, so closing
# it really closes it (the file is complete on disk) and leaves the module's pooled connections alone.
function New-StoreConnection([string] $Store, [switch] $ReadOnly) {
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([ApiKeyModule.ApiKeyStore].Assembly)
    if (Test-PostgresStore $Store) {
        $npgsql = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Npgsql'))
        $builder = $npgsql.GetType('Npgsql.NpgsqlConnectionStringBuilder', $true)::new(($Store -replace ';Schema=[^;]*', ''))
        $builder.SearchPath = Get-StoreSchema $Store
        $builder.Pooling = $false
        $connection = $npgsql.GetType('Npgsql.NpgsqlConnection', $true)::new($builder.ConnectionString)
    }
    else {
        if (-not $script:SqliteInitialized) {
            throw 'SQLite is not initialised for this test file: call Initialize-Sqlite $TestDrive in its BeforeAll.'
        }
        $sqlite = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Microsoft.Data.Sqlite'))
        $builder = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnectionStringBuilder', $true)::new()
        $builder.DataSource = $Store
        $builder.Pooling = $false
        $builder.Mode = if ($ReadOnly) { 'ReadOnly' } else { 'ReadWriteCreate' }
        $connection = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true)::new($builder.ToString())
    }
    $connection.Open()
    $connection
}

# Runs SQL on a test store directly (see New-StoreConnection), with parameters named @name, and returns its rows as
# ordered hashtables (column name -> value; NULL -> $null, a blob -> byte[]). On SQLite, every pooled connection is closed
# after, so that the file is complete on disk.
function Invoke-StoreRows([string] $Store, [string] $Sql, [hashtable] $Parameters = @{}) {
    $connection = New-StoreConnection $Store
    try {
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        foreach ($name in $Parameters.Keys) {
            $parameter = $command.CreateParameter()
            $parameter.ParameterName = $name
            $parameter.Value = $Parameters[$name]
            $null = $command.Parameters.Add($parameter)
        }
        $reader = $command.ExecuteReader()
        $rows = [System.Collections.Generic.List[object]]::new()
        do {
            while ($reader.Read()) {
                $row = [ordered]@{}
                for ($i = 0; $i -lt $reader.FieldCount; $i++) {
                    # (Assigned directly: an if-expression would unroll a blob's byte[] into object[].)
                    $row[$reader.GetName($i)] = $null
                    if (-not $reader.IsDBNull($i)) { $row[$reader.GetName($i)] = $reader.GetValue($i) }
                }
                $rows.Add($row)
            }
        } while ($reader.NextResult())
        $reader.Dispose()
        $command.Dispose()
        , $rows.ToArray()
    }
    finally {
        $connection.Dispose()
        if (-not (Test-PostgresStore $Store)) { $connection.GetType()::ClearAllPools() }
    }
}

# The first column of the first row SQL returns on a test store ($null when none).
function Invoke-StoreScalar([string] $Store, [string] $Sql, [hashtable] $Parameters = @{}) {
    $rows = Invoke-StoreRows $Store $Sql $Parameters
    if ($rows.Count -eq 0) { return $null }
    @($rows[0].Values)[0]
}

# Runs SQL that returns nothing (or whose rows do not matter) on a test store.
function Invoke-StoreNonQuery([string] $Store, [string] $Sql, [hashtable] $Parameters = @{}) {
    $null = Invoke-StoreRows $Store $Sql $Parameters
}
