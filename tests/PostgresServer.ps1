# A throwaway PostgreSQL server for the tests: its own data folder in a temporary folder, a free port on 127.0.0.1,
# fsync off (the tests kill clients, never the machine), stopped and removed by Stop-TestPostgres. Dot-source this
# file, then: $server = Start-TestPostgres; try { ... $server.ConnectionString ... } finally { Stop-TestPostgres $server }

function Find-PostgresBin {
    $found = Get-ChildItem /usr/lib/postgresql/*/bin/initdb -ErrorAction Ignore | Sort-Object { [int]$_.Directory.Parent.Name } | Select-Object -Last 1
    if ($found) { return $found.DirectoryName }
    $null
}

# PostgreSQL 15 is on the machine image; where it is not, a Debian-like machine as root installs it.
function Install-Postgres {
    if (Find-PostgresBin) { return }
    if ($IsLinux -and (Get-Command apt-get -ErrorAction Ignore) -and (id -u) -eq '0') {
        Write-Host 'Installing postgresql for the tests of the PostgreSQL store'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get update -qq
        & apt-get install -y -qq --no-install-recommends postgresql
        if ($LASTEXITCODE -ne 0) { throw "apt-get install postgresql failed ($LASTEXITCODE)." }
        return
    }
    throw 'The tests of the PostgreSQL store need a PostgreSQL server (initdb, pg_ctl): install the postgresql package.'
}

# The server refuses to run as root: as root, its programs run as the postgres user.
function Invoke-AsServerUser([string] $Program, [string[]] $Arguments) {
    if ((id -u) -eq '0') { & runuser -u postgres -- $Program @Arguments 2>&1 }
    else { & $Program @Arguments 2>&1 }
}

# A certificate authority and a server certificate for 127.0.0.1 signed by it, so that tests can connect with the
# server's certificate verified (SSL Mode=VerifyFull). Null where openssl is missing: the server then runs without TLS.
function New-TestCertificates([string] $Folder) {
    if (-not (Get-Command openssl -CommandType Application -ErrorAction Ignore)) { return $null }
    $names = Join-Path $Folder 'server.ext'
    Set-Content -LiteralPath $names -Value 'subjectAltName=IP:127.0.0.1,DNS:localhost'
    $steps = @(
        @('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ApiKeyModule test CA', '-keyout', "$Folder/ca.key", '-out', "$Folder/ca.crt"),
        @('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', "$Folder/server.key", '-out', "$Folder/server.csr"),
        @('x509', '-req', '-in', "$Folder/server.csr", '-CA', "$Folder/ca.crt", '-CAkey', "$Folder/ca.key", '-CAcreateserial', '-days', '2',
            '-extfile', $names, '-out', "$Folder/server.crt")
    )
    foreach ($step in $steps) {
        $output = & openssl @step 2>&1
        if ($LASTEXITCODE -ne 0) { throw "openssl $($step[0]) failed ($LASTEXITCODE): $output" }
    }
    & chmod 600 "$Folder/server.key"
    if ((id -u) -eq '0') { & chown postgres "$Folder/server.key" "$Folder/server.crt" }
    [pscustomobject]@{ RootCertificate = "$Folder/ca.crt"; Certificate = "$Folder/server.crt"; Key = "$Folder/server.key" }
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Starts the server of $Server (its folder, binaries and port) and waits until it accepts connections.
function Start-PostgresProcess($Server) {
    # TLS when the folder holds the server's certificate (New-TestCertificates).
    $tls = if (Test-Path "$($Server.Folder)/server.crt") { " -c ssl=on -c ssl_cert_file=$($Server.Folder)/server.crt -c ssl_key_file=$($Server.Folder)/server.key" } else { '' }
    Invoke-AsServerUser (Join-Path $Server.Bin 'pg_ctl') @('-D', "$($Server.Folder)/data", '-l', "$($Server.Folder)/log", '-w', '-t', '60',
        '-o', "-c listen_addresses=127.0.0.1 -p $($Server.Port) -k $($Server.Folder) -c fsync=off -c max_connections=200$tls", 'start')
}

# No finally block runs when the test run is killed by a signal: a watcher in a session of its own (so that a signal to
# the run's process group spares it) stops the server and removes its folder once this process is gone.
function Start-PostgresWatcher($Server) {
    $stop = "'$($Server.Bin)/pg_ctl' -D '$($Server.Folder)/data' -m immediate -w stop"
    if ((id -u) -eq '0') { $stop = "runuser -u postgres -- $stop" }
    $watch = "while kill -0 $PID 2>/dev/null; do sleep 2; done; if [ -f '$($Server.Folder)/data/postmaster.pid' ]; then $stop; fi; rm -rf '$($Server.Folder)'"
    & bash -c "setsid bash -c `"$watch`" </dev/null >/dev/null 2>&1 &"
}

function Start-TestPostgres {
    Install-Postgres
    $bin = Find-PostgresBin
    $folder = Join-Path ([IO.Path]::GetTempPath()) "apikeymodule-pg-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $folder
    if ((id -u) -eq '0') { & chown postgres $folder }
    & chmod 700 $folder
    $password = [guid]::NewGuid().ToString('N')
    $server = [pscustomobject]@{
        Folder = $folder; Bin = $bin; Port = 0; Password = $password
        ConnectionString = $null; RootCertificate = $null
    }
    try {
        Start-PostgresWatcher $server
        $output = Invoke-AsServerUser (Join-Path $bin 'initdb') @('-D', "$folder/data", '-U', 'postgres', '--auth-local=trust',
            '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync')
        if ($LASTEXITCODE -ne 0) { throw "initdb failed ($LASTEXITCODE): $output" }
        $server.RootCertificate = (New-TestCertificates $folder).RootCertificate
        foreach ($attempt in 1..5) {
            $server.Port = Get-FreeTcpPort
            $output = Start-PostgresProcess $server
            if ($LASTEXITCODE -eq 0) { break }
            if ($attempt -eq 5) { throw "pg_ctl start failed ($LASTEXITCODE): $output $(Get-Content "$folder/log" -Raw -ErrorAction Ignore)" }
        }
        foreach ($sql in "CREATE ROLE apikeys LOGIN CREATEROLE PASSWORD '$password'", 'CREATE DATABASE apikeys OWNER apikeys') {
            $output = Invoke-AsServerUser (Join-Path $bin 'psql') @('-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $folder, '-p', $server.Port,
                '-U', 'postgres', '-d', 'postgres', '-c', $sql)
            if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE): $output" }
        }
        $server.ConnectionString = "Host=127.0.0.1;Port=$($server.Port);Database=apikeys;Username=apikeys;Password=$password"
        $server
    }
    catch {
        Stop-TestPostgres $server
        throw
    }
}

function Stop-TestPostgres($Server) {
    if (-not $Server) { return }
    if (Test-Path "$($Server.Folder)/data/postmaster.pid") {
        $null = Invoke-AsServerUser (Join-Path $Server.Bin 'pg_ctl') @('-D', "$($Server.Folder)/data", '-m', 'immediate', '-w', 'stop')
    }
    Remove-Item -LiteralPath $Server.Folder -Recurse -Force -ErrorAction Ignore
}

# The server that the test command started, from the variables it sets (APIKEYMODULE_TEST_POSTGRES and the _FOLDER,
# _BIN and _PORT ones); $null when one is missing.
function Get-TestPostgres {
    if (-not ($env:APIKEYMODULE_TEST_POSTGRES -and $env:APIKEYMODULE_TEST_POSTGRES_FOLDER -and $env:APIKEYMODULE_TEST_POSTGRES_BIN -and $env:APIKEYMODULE_TEST_POSTGRES_PORT)) { return $null }
    [pscustomobject]@{
        Folder = $env:APIKEYMODULE_TEST_POSTGRES_FOLDER; Bin = $env:APIKEYMODULE_TEST_POSTGRES_BIN; Port = [int]$env:APIKEYMODULE_TEST_POSTGRES_PORT
        ConnectionString = $env:APIKEYMODULE_TEST_POSTGRES
    }
}

# Stops the server at once, as a crash would (every backend killed, no checkpoint): pg_ctl stop -m immediate.
function Stop-TestPostgresImmediately($Server) {
    $output = Invoke-AsServerUser (Join-Path $Server.Bin 'pg_ctl') @('-D', "$($Server.Folder)/data", '-m', 'immediate', '-w', 'stop')
    if ($LASTEXITCODE -ne 0) { throw "pg_ctl stop failed ($LASTEXITCODE): $output" }
}

# Starts a stopped server again on the same port, with the same options, and waits until it accepts connections.
function Restart-TestPostgres($Server) {
    $output = Start-PostgresProcess $Server
    if ($LASTEXITCODE -ne 0) { throw "pg_ctl start failed ($LASTEXITCODE): $output $(Get-Content "$($Server.Folder)/log" -Raw -ErrorAction Ignore)" }
    $output = Invoke-AsServerUser (Join-Path $Server.Bin 'pg_isready') @('-h', '127.0.0.1', '-p', $Server.Port, '-t', '60')
    if ($LASTEXITCODE -ne 0) { throw "The restarted server does not accept connections: $output" }
}

# Runs SQL with psql on the database of an Npgsql connection string (Host, Port, Database, Username, Password; the
# password goes by PGPASSWORD, never on a command line) and returns its rows unaligned, one string per row, fields
# separated by '|'. Throws on any SQL error.
function Invoke-TestPsql([string] $ConnectionString, [string] $Sql) {
    $parts = @{}
    foreach ($pair in $ConnectionString -split ';') {
        $name, $value = $pair -split '=', 2
        if ($name) { $parts[$name.Trim()] = $value }
    }
    $bin = Find-PostgresBin
    $saved = $env:PGPASSWORD
    $env:PGPASSWORD = $parts.Password
    try {
        $output = & (Join-Path $bin 'psql') -X -q -A -t -v ON_ERROR_STOP=1 -h $parts.Host -p $parts.Port -U $parts.Username -d $parts.Database -c $Sql 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE): $output" }
        @($output | Where-Object { $_ -ne '' } | ForEach-Object { "$_" })
    }
    finally {
        if ($null -eq $saved) { Remove-Item Env:PGPASSWORD -ErrorAction Ignore } else { $env:PGPASSWORD = $saved }
    }
}
