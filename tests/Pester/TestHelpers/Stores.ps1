# The stores the tests make, on either kind, and what a test reads of them through the module.

# The kind of store the suite runs on: the test command runs it once on SQLite files and once on its PostgreSQL server
# (APIKEYMODULE_TEST_STORE_KIND=Postgres). Tests of the file itself are tagged File and skipped on PostgreSQL; tests of
# the server are tagged Server and skipped on SQLite; tests that open no store, or choose their stores themselves, are
# tagged Once and run in the SQLite run only (tests/Invoke-Pester.ps1).
function Test-PostgresRun { $env:APIKEYMODULE_TEST_STORE_KIND -eq 'Postgres' }

# A store of its own for one test, that does not exist yet: a file in $Folder (the test's $TestDrive), or, on
# PostgreSQL, a schema of its own on the test server (a connection string, which -StorePath takes like a path).
function New-TestStorePath([string] $Folder = $(throw 'New-TestStorePath takes the test''s folder: New-TestStorePath $TestDrive')) {
    if (Test-PostgresRun) {
        return "$env:APIKEYMODULE_TEST_POSTGRES;Schema=t_$([guid]::NewGuid().ToString('N'))"
    }
    Join-Path $Folder "$([guid]::NewGuid()).db"
}

# Whether a test store is a schema on the PostgreSQL server (a connection string) rather than a file.
function Test-PostgresStore([string] $Store) { $Store -match '^Host=' }

# The schema of a PostgreSQL test store (New-TestStorePath).
function Get-StoreSchema([string] $Store) {
    ($Store -split ';' | Where-Object { $_ -like 'Schema=*' }) -replace '^Schema=', ''
}

# How the store reports where it is (its Path, a key's Store): the file's full path, or the connection string without
# its password, with the schema.
function Get-StoreLocation([string] $Store) {
    if (Test-PostgresStore $Store) {
        return ($Store -replace ';Password=[^;]*', '')
    }
    [IO.Path]::GetFullPath($Store)
}

# Whether a store exists there yet: its file, or its schema on the server.
function Test-StoreExists([string] $Store) {
    if (Test-PostgresStore $Store) {
        $schema = Get-StoreSchema $Store
        return [bool](Invoke-StoreScalar $env:APIKEYMODULE_TEST_POSTGRES 'SELECT count(*) FROM pg_namespace WHERE nspname = @schema' @{ schema = $schema })
    }
    Test-Path -LiteralPath $Store
}

# The allowlist of a key as one line in stored order, e.g. 'CALL system.info; GET /pool' ('' when empty).
function Format-Allowlist($Key) {
    @($Key.Allowlist | ForEach-Object { '{0} {1}' -f $_.Method, $_.Resource }) -join '; '
}

# Everything Get-ApiKey shows of a store, as one string to compare before and after a command.
function Get-StoreSnapshot([string] $StorePath) {
    $keys = @(Get-ApiKey -StorePath $StorePath)
    $keys | Select-Object Id, Name, @{ n = 'CreatedAt'; e = { $_.CreatedAt.ToString('o') } }, @{ n = 'Allowlist'; e = { Format-Allowlist $_ } } |
        ConvertTo-Json -Depth 5 -Compress
}

# Fills a store with a few keys so that a snapshot of it is never empty; returns the created keys.
function Add-SeedKeys([string] $StorePath) {
    New-ApiKey -StorePath $StorePath -Name 'seed-one' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
    New-ApiKey -StorePath $StorePath -Name 'seed-two' -Allowlist @{ method = 'GET'; resource = '/pool' }, @{ method = 'POST'; resource = '/pool/*' }
}
