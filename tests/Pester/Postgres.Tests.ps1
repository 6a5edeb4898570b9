# The cmdlets on a PostgreSQL store: the same commands with -ConnectionString (or -Credential, a URI, the environment),
# each test in a schema of its own on the throwaway server the test command starts.
BeforeDiscovery {
    $script:skip = if (-not $env:APIKEYMODULE_TEST_POSTGRES) { 'no PostgreSQL server: the test command starts one and sets APIKEYMODULE_TEST_POSTGRES' }
}

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    # The server's connection string as parts, to build the other forms (URI, -Credential) from.
    function Get-ServerParts {
        $parts = @{}
        foreach ($pair in $env:APIKEYMODULE_TEST_POSTGRES -split ';') {
            $name, $value = $pair -split '=', 2
            $parts[$name.Trim()] = $value
        }
        $parts
    }

    function New-TestConnection([switch] $WithoutPassword) {
        $schema = "t_$([guid]::NewGuid().ToString('N'))"
        $connection = "$($env:APIKEYMODULE_TEST_POSTGRES);Schema=$schema"
        if ($WithoutPassword) { $connection = $connection -replace 'Password=[^;]*;?', '' }
        $connection
    }
}

Describe 'The cmdlets on a PostgreSQL store' -Tag Server -Skip:([bool]$skip) {
    BeforeEach {
        $connection = New-TestConnection
        $parts = Get-ServerParts
    }
    AfterEach {
        Remove-Item Env:APIKEYMODULE_STORE, Env:PGPASSWORD -ErrorAction Ignore
        $PSDefaultParameterValues.Remove('*-ApiKey*:ConnectionString')
    }

    It 'creates, reads, changes, verifies, revokes and removes keys with -ConnectionString' {
        $key = New-ApiKey -ConnectionString $connection -Name 'pg-one' -Allowlist @{ method = 'GET'; resource = '/pool/*' }
        $key.Key | Should -Match "^$($key.Id)-[A-Za-z0-9]{64}$"
        (Get-ApiKey -ConnectionString $connection -Name 'PG-*').Name | Should -Be 'pg-one'
        $key | Test-ApiKey -Method GET -Resource '/pool/tank' | Should -BeTrue
        Get-ApiKey -ConnectionString $connection -Id $key.Id | Set-ApiKey -Name 'pg-renamed'
        $reset = Get-ApiKey -ConnectionString $connection -Name 'pg-renamed' | Set-ApiKey -Reset
        Test-ApiKey -ConnectionString $connection -Key $key.Key | Should -BeFalse
        Test-ApiKey -ConnectionString $connection -Key $reset.Key | Should -BeTrue
        Revoke-ApiKey -ConnectionString $connection -Name 'pg-*' -Reason 'test' -Confirm:$false
        (Test-ApiKey -ConnectionString $connection -Key $reset.Key -Detailed).Code | Should -Be 'Revoked'
        Remove-ApiKey -ConnectionString $connection -Id $key.Id -Confirm:$false
        @(Get-ApiKey -ConnectionString $connection).Count | Should -Be 0
        @(Get-ApiKeyAuditLog -ConnectionString $connection).Action | Should -Contain 'Delete'
    }

    It 'names are unique ignoring case: DuplicateName, and nothing changes' {
        $null = New-ApiKey -ConnectionString $connection -Name 'Backup' -WarningAction Ignore
        $errors = Get-ErrorRecord { New-ApiKey -ConnectionString $connection -Name 'BACKUP' -WarningAction Ignore }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateName,*'
        @(Get-ApiKey -ConnectionString $connection).Count | Should -Be 1
    }

    It 'takes the user and password from -Credential, and never shows the password' {
        $bare = New-TestConnection -WithoutPassword
        $bare = $bare -replace 'Username=[^;]*;?', ''
        $credential = [pscredential]::new($parts.Username, (ConvertTo-SecureString $parts.Password -AsPlainText -Force))
        $key = New-ApiKey -ConnectionString $bare -Credential $credential -Name 'with-credential' -WarningAction Ignore -Verbose 4>&1
        $all = $key | Out-String
        $all | Should -Not -Match ([regex]::Escape($parts.Password))
        $issued = $key | Where-Object { $_ -is [ApiKeyModule.IssuedApiKey] }
        $issued.Store | Should -Not -Match ([regex]::Escape($parts.Password))
        $issued | Format-List * | Out-String | Should -Not -Match ([regex]::Escape($parts.Password))
        (Get-ApiKeyAuditLog -ConnectionString $bare -Credential $credential | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($parts.Password))
        # The key object goes home with the credential it was read with.
        Get-ApiKey -ConnectionString $bare -Credential $credential | Set-ApiKey -Name 'renamed-home'
        (Get-ApiKey -ConnectionString $bare -Credential $credential).Name | Should -Be 'renamed-home'
    }

    It 'a wrong password is StoreUnavailable, and its message holds no password' {
        $wrong = "$connection" -replace 'Password=[^;]*', 'Password=not-the-password-xyz'
        $errors = Get-ErrorRecord { Get-ApiKey -ConnectionString $wrong }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'StoreUnavailable,*'
        $errors[0].Exception.Message | Should -Not -Match 'not-the-password-xyz'
        ($errors[0] | Format-List * -Force | Out-String) | Should -Not -Match 'not-the-password-xyz'
    }

    It 'takes the password from PGPASSWORD, and a postgresql:// URI' {
        $env:PGPASSWORD = $parts.Password
        $schema = "t_$([guid]::NewGuid().ToString('N'))"
        $uri = "postgresql://$($parts.Username)@$($parts.Host):$($parts.Port)/$($parts.Database)?schema=$schema"
        $null = New-ApiKey -ConnectionString $uri -Name 'via-uri' -WarningAction Ignore
        $withoutPassword = "Host=$($parts.Host);Port=$($parts.Port);Database=$($parts.Database);Username=$($parts.Username);Schema=$schema"
        (Get-ApiKey -ConnectionString $withoutPassword).Name | Should -Be 'via-uri'
    }

    It '$env:APIKEYMODULE_STORE and $PSDefaultParameterValues take a connection string' {
        $env:APIKEYMODULE_STORE = $connection
        $null = New-ApiKey -Name 'from-env' -WarningAction Ignore
        (Get-ApiKey).Name | Should -Be 'from-env'
        Remove-Item Env:APIKEYMODULE_STORE
        $PSDefaultParameterValues['*-ApiKey*:ConnectionString'] = $connection
        (Get-ApiKey).Name | Should -Be 'from-env'
    }

    It 'a key read from a PostgreSQL store goes home, whatever the default store is' {
        $env:APIKEYMODULE_STORE = New-TestStorePath $TestDrive
        $null = New-ApiKey -Name 'file-key' -WarningAction Ignore
        $null = New-ApiKey -ConnectionString $connection -Name 'pg-key' -WarningAction Ignore
        Get-ApiKey -ConnectionString $connection -Name 'pg-key' | Remove-ApiKey -Confirm:$false
        @(Get-ApiKey -ConnectionString $connection).Count | Should -Be 0
        (Get-ApiKey).Name | Should -Be 'file-key'
        $errors = Get-ErrorRecord { Get-ApiKey -Name 'file-key' | Remove-ApiKey -ConnectionString $connection -Confirm:$false }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'KeyFromOtherStore,*'
        (Get-ApiKey).Name | Should -Be 'file-key'
    }

    It 'connects over TLS with the server''s certificate verified (VerifyFull), and refuses a server it cannot verify' {
        if (-not $env:APIKEYMODULE_TEST_POSTGRES_CA) { Set-ItResult -Skipped -Because 'the test server runs without TLS (openssl is missing)'; return }
        # The server's certificate names localhost (and 127.0.0.1, which .NET does not match by address here).
        $connection = $connection -replace 'Host=127\.0\.0\.1', 'Host=localhost'
        $verified = "$connection;SSL Mode=VerifyFull;Root Certificate=$env:APIKEYMODULE_TEST_POSTGRES_CA"
        $key = New-ApiKey -ConnectionString $verified -Name 'over-tls' -Allowlist @{ method = 'GET'; resource = '/x' }
        $key | Test-ApiKey | Should -BeTrue
        # Another authority, which did not sign the server's certificate: the connection is refused, nothing is read.
        $other = Join-Path $TestDrive "ca-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $other
        $null = & openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=Someone else' -keyout "$other/ca.key" -out "$other/ca.crt" 2>&1
        $errors = Get-ErrorRecord { Get-ApiKey -ConnectionString "$connection;SSL Mode=VerifyFull;Root Certificate=$other/ca.crt" }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'StoreUnavailable,*'
    }

    It 'a credential given with a file store is refused' {
        $credential = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force))
        $errors = Get-ErrorRecord { Get-ApiKey -StorePath (Join-Path $TestDrive "$([guid]::NewGuid()).db") -Credential $credential }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'CredentialNotUsed,*'
    }
}

Describe 'A session that uses only SQLite stores' -Tag File {
    It 'never loads Npgsql or its dependencies' {
        $store = ConvertTo-PSLiteral (New-TestStorePath $TestDrive)
        $loaded = Invoke-ChildPwsh @"
`$null = New-ApiKey -StorePath $store -Name 'k' -Allowlist @{ method = 'GET'; resource = '/x' }
`$key = Get-ApiKey -StorePath $store
`$key | Set-ApiKey -Name 'k2'
`$null = Test-ApiKey -StorePath $store -Key 'x'
`$null = Get-ApiKeyAuditLog -StorePath $store
[AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { `$_.GetName().Name } | Where-Object { `$_ -match 'Npgsql|Microsoft\.Extensions\.Logging' }
'checked'
"@
        $loaded.Trim() | Should -Be 'checked'
    }
}
