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

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
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
        ConnectionString = $null; AdminConnectionString = $null
    }
    try {
        $output = Invoke-AsServerUser (Join-Path $bin 'initdb') @('-D', "$folder/data", '-U', 'postgres', '--auth-local=trust',
            '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync')
        if ($LASTEXITCODE -ne 0) { throw "initdb failed ($LASTEXITCODE): $output" }
        foreach ($attempt in 1..5) {
            $server.Port = Get-FreeTcpPort
            $output = Invoke-AsServerUser (Join-Path $bin 'pg_ctl') @('-D', "$folder/data", '-l', "$folder/log", '-w', '-t', '60',
                '-o', "-c listen_addresses=127.0.0.1 -p $($server.Port) -k $folder -c fsync=off -c max_connections=200", 'start')
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
