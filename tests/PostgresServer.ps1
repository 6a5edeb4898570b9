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
        $output = Invoke-AsServerUser (Join-Path $bin 'initdb') @('-D', "$folder/data", '-U', 'postgres', '--auth-local=trust',
            '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync')
        if ($LASTEXITCODE -ne 0) { throw "initdb failed ($LASTEXITCODE): $output" }
        $certificates = New-TestCertificates $folder
        $tls = if ($certificates) { " -c ssl=on -c ssl_cert_file=$($certificates.Certificate) -c ssl_key_file=$($certificates.Key)" } else { '' }
        $server.RootCertificate = $certificates.RootCertificate
        foreach ($attempt in 1..5) {
            $server.Port = Get-FreeTcpPort
            $output = Invoke-AsServerUser (Join-Path $bin 'pg_ctl') @('-D', "$folder/data", '-l', "$folder/log", '-w', '-t', '60',
                '-o', "-c listen_addresses=127.0.0.1 -p $($server.Port) -k $folder -c fsync=off -c max_connections=200$tls", 'start')
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
