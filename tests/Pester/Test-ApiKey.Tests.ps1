# Test-ApiKey: parsing the presented key, finding it, and authorizing a method and resource as TrueNAS does.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # The 64-character secret of an issued key ("<id>-<secret>").
    function Get-Secret([string] $Key) {
        $Key.Substring($Key.IndexOf('-') + 1)
    }

    # A secret of the right form that no key has.
    function New-RandomSecret {
        $alphabet = [char[]]'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
        -join (1..64 | ForEach-Object { $alphabet[[Security.Cryptography.RandomNumberGenerator]::GetInt32($alphabet.Length)] })
    }

    # Checks that a verification refused the key without telling who it belongs to.
    function Assert-Anonymous($Result, [string] $Code) {
        $Result.GetType().FullName | Should -Be 'ApiKeyModule.ApiKeyVerification'
        $Result.Valid | Should -BeFalse
        $Result.Code | Should -Be $Code
        $Result.Id | Should -BeNullOrEmpty
        $Result.Name | Should -BeNullOrEmpty
        $Result.AllowedBy | Should -BeNullOrEmpty
    }
}

Describe 'Test-ApiKey' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'checked' -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool/*' }
        $other = New-ApiKey -StorePath $store -Name 'other' -Allowlist @{ method = 'GET'; resource = '/other' }
    }

    Context 'a valid key' {
        It 'returns $true (a [bool]) for the key as issued' {
            $result = Test-ApiKey -StorePath $store -Key $key.Key
            @($result).Count | Should -Be 1
            $result | Should -BeOfType [bool]
            $result | Should -BeTrue
        }

        It 'takes -Key by position' {
            Test-ApiKey $key.Key -StorePath $store | Should -BeTrue
        }

        It 'writes an ApiKeyVerification with -Detailed: Valid, Code Valid, Id, Name, no AllowedBy without a request' {
            $result = Test-ApiKey -StorePath $store -Key $key.Key -Detailed
            @($result).Count | Should -Be 1
            $result.GetType().FullName | Should -Be 'ApiKeyModule.ApiKeyVerification'
            $result.Valid | Should -BeOfType [bool]
            $result.Valid | Should -BeTrue
            $result.Code | Should -BeOfType [ApiKeyModule.VerificationCode]
            $result.Code | Should -Be ([ApiKeyModule.VerificationCode]::Valid)
            $result.Id | Should -Be $key.Id
            $result.Name | Should -BeExactly 'checked'
            $result.AllowedBy | Should -BeNullOrEmpty
        }

        It 'ignores white space around the key (<Case>)' -ForEach @(
            @{ Case = 'spaces'; Before = '  '; After = '  ' }
            @{ Case = 'a tab before, a newline after'; Before = "`t"; After = "`n" }
            @{ Case = 'CR LF after, as read from a Windows file'; Before = ''; After = "`r`n" }
        ) {
            $result = Test-ApiKey -StorePath $store -Key ($Before + $key.Key + $After) -Detailed
            $result.Code | Should -Be 'Valid'
            $result.Id | Should -Be $key.Id
        }

        It 'tells each key apart in a store with several' {
            (Test-ApiKey -StorePath $store -Key $other.Key -Detailed).Name | Should -BeExactly 'other'
            (Test-ApiKey -StorePath $store -Key $key.Key -Detailed).Name | Should -BeExactly 'checked'
        }
    }

    Context 'pipeline input' {
        It 'verifies the key of New-ApiKey''s output piped in (Key by property name)' {
            $result = New-ApiKey -StorePath $store -Name 'piped' -Allowlist @{ method = 'GET'; resource = '/p' } | Test-ApiKey -StorePath $store -Detailed
            $result.Code | Should -Be 'Valid'
            $result.Name | Should -BeExactly 'piped'
        }

        It 'verifies keys piped as strings (by value), one result each, in order' {
            $results = $key.Key, 'not-a-key', $other.Key | Test-ApiKey -StorePath $store
            @($results).Count | Should -Be 3
            $results[0] | Should -BeTrue
            $results[1] | Should -BeFalse
            $results[2] | Should -BeTrue
        }

        It 'takes Key from any object''s Key property' {
            [pscustomobject]@{ Key = $other.Key } | Test-ApiKey -StorePath $store | Should -BeTrue
        }

        It 'checks a method and resource for every piped key' {
            $results = $key, $other | Test-ApiKey -StorePath $store -Method GET -Resource '/other' -Detailed
            ($results.Code | ForEach-Object ToString) -join ',' | Should -Be 'Forbidden,Valid'
        }
    }

    Context 'malformed keys' {
        It 'gives Malformed, with no Id or Name, for <Case>' -ForEach @(
            @{ Case = 'an empty string'; Make = { param($k) '' } }
            @{ Case = 'white space only'; Make = { param($k) "  `t " } }
            @{ Case = 'a word'; Make = { param($k) 'hello' } }
            @{ Case = 'no dash'; Make = { param($k) $k.Replace('-', '') } }
            @{ Case = 'only the secret'; Make = { param($k) Get-Secret $k } }
            @{ Case = 'a leading dash (no id)'; Make = { param($k) '-' + (Get-Secret $k) } }
            @{ Case = 'only the id and a dash'; Make = { param($k) $k.Substring(0, $k.IndexOf('-') + 1) } }
            @{ Case = 'a non-numeric id'; Make = { param($k) 'a-' + (Get-Secret $k) } }
            @{ Case = 'a hexadecimal id'; Make = { param($k) '0x1-' + (Get-Secret $k) } }
            @{ Case = 'a signed id'; Make = { param($k) '+' + $k } }
            @{ Case = 'a negative id'; Make = { param($k) '-' + $k } }
            @{ Case = 'id 0'; Make = { param($k) '0-' + (Get-Secret $k) } }
            @{ Case = 'a space inside, before the dash'; Make = { param($k) $k.Replace('-', ' -') } }
            @{ Case = 'a space inside, after the dash'; Make = { param($k) $k.Replace('-', '- ') } }
            @{ Case = 'a secret of 63 characters'; Make = { param($k) $k.Substring(0, $k.Length - 1) } }
            @{ Case = 'a secret of 65 characters'; Make = { param($k) $k + 'a' } }
            @{ Case = 'the key twice'; Make = { param($k) $k + $k } }
            @{ Case = 'a dash inside the secret'; Make = { param($k) $k.Substring(0, $k.Length - 1) + '-' } }
            @{ Case = 'an underscore inside the secret'; Make = { param($k) $k.Substring(0, $k.Length - 1) + '_' } }
            @{ Case = 'a non-ASCII letter in the secret (e acute)'; Make = { param($k) $k.Substring(0, $k.Length - 1) + [char]0x00E9 } }
            @{ Case = 'a Cyrillic a in the secret'; Make = { param($k) $k.Substring(0, $k.Length - 1) + [char]0x0430 } }
            @{ Case = 'a fullwidth digit as the id'; Make = { param($k) [string][char]0xFF11 + '-' + (Get-Secret $k) } }
            @{ Case = 'an Arabic-Indic digit as the id'; Make = { param($k) [string][char]0x0661 + '-' + (Get-Secret $k) } }
            @{ Case = 'a zero-width space inside the secret'; Make = { param($k) $k.Substring(0, 10) + [char]0x200B + $k.Substring(11) } }
            @{ Case = 'SQL injection text'; Make = { param($k) "1-' OR 1=1 --" } }
            @{ Case = 'SQL injection text of the right length'; Make = { param($k) "1-' OR '1'='1' --" + ('a' * 47) } }
            @{ Case = 'a wildcard as the secret'; Make = { param($k) '1-' + ('%' * 64) } }
        ) {
            $presented = & $Make $key.Key
            Assert-Anonymous (Test-ApiKey -StorePath $store -Key $presented -Detailed) 'Malformed'
            Test-ApiKey -StorePath $store -Key $presented | Should -BeFalse
        }

        It 'gives Malformed (not an error) for a malformed key with a method and resource it would be allowed' {
            Assert-Anonymous (Test-ApiKey -StorePath $store -Key "1-' OR 1=1 --" -Method CALL -Resource 'system.info' -Detailed) 'Malformed'
        }

        It 'gives no error and no Id for an id too large for an integer' {
            $records = Get-ErrorRecord { Test-ApiKey -StorePath $store -Key ('99999999999999999999-' + (Get-Secret $key.Key)) -Detailed }
            @($records).Count | Should -Be 0
            $result = Test-ApiKey -StorePath $store -Key ('99999999999999999999-' + (Get-Secret $key.Key)) -Detailed
            $result.Valid | Should -BeFalse
            $result.Code | Should -BeIn @('Malformed', 'NotFound')
            $result.Id | Should -BeNullOrEmpty
        }
    }

    Context 'keys that are well formed but wrong' {
        It 'gives NotFound, revealing neither Id nor Name, for <Case>' -ForEach @(
            @{ Case = 'a wrong secret for an existing id'; Make = { param($k, $o) "$($k.Id)-$(New-RandomSecret)" } }
            @{ Case = 'the secret of another key under this id'; Make = { param($k, $o) "$($k.Id)-$(Get-Secret $o.Key)" } }
            @{ Case = 'the secret with its case swapped'; Make = { param($k, $o) "$($k.Id)-$(-join ((Get-Secret $k.Key).ToCharArray() | ForEach-Object { if ([char]::IsUpper($_)) { [char]::ToLowerInvariant($_) } else { [char]::ToUpperInvariant($_) } }))" } }
            @{ Case = 'a secret differing in its last character'; Make = { param($k, $o) $s = Get-Secret $k.Key; "$($k.Id)-$($s.Substring(0, 63))$(if ($s[63] -ceq 'a') { 'b' } else { 'a' })" } }
            @{ Case = 'an id that does not exist'; Make = { param($k, $o) "9999-$(Get-Secret $k.Key)" } }
        ) {
            $presented = & $Make $key $other
            Assert-Anonymous (Test-ApiKey -StorePath $store -Key $presented -Detailed) 'NotFound'
            Test-ApiKey -StorePath $store -Key $presented | Should -BeFalse
            # The request would be allowed, yet the answer stays NotFound.
            Assert-Anonymous (Test-ApiKey -StorePath $store -Key $presented -Method CALL -Resource 'system.info' -Detailed) 'NotFound'
        }

        It 'answers the same for a wrong secret whether or not the id exists' {
            $secret = New-RandomSecret
            $existing = Test-ApiKey -StorePath $store -Key "$($key.Id)-$secret" -Detailed
            $missing = Test-ApiKey -StorePath $store -Key "9999-$secret" -Detailed
            ($existing | ConvertTo-Json -Compress) | Should -BeExactly ($missing | ConvertTo-Json -Compress)
        }

        It 'gives NotFound for the key of a removed key' {
            Remove-ApiKey -StorePath $store -Id $key.Id
            Assert-Anonymous (Test-ApiKey -StorePath $store -Key $key.Key -Detailed) 'NotFound'
        }

        It 'gives NotFound for a real key checked against another store' {
            Assert-Anonymous (Test-ApiKey -StorePath (New-TestStorePath $TestDrive) -Key $key.Key -Detailed) 'NotFound'
        }
    }

    Context 'authorization' {
        It '<Allowlist> gives <Expected> for <Method> <Resource>' -ForEach @(
            # TrueNAS's documented cases
            @{ Allowlist = 'CALL system.*'; Method = 'CALL'; Resource = 'system.info'; Expected = 'Valid' }
            @{ Allowlist = 'CALL system.*'; Method = 'CALL'; Resource = 'disk.info'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL disk.*_info'; Method = 'CALL'; Resource = 'disk.ssd_info'; Expected = 'Valid' }
            @{ Allowlist = 'CALL disk.*_info'; Method = 'CALL'; Resource = 'disk.info'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL disk.*_info'; Method = 'CALL'; Resource = 'disk.ssd_information'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL system.info'; Method = 'CALL'; Resource = 'system.information'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL system.info'; Method = 'CALL'; Resource = 'system.info'; Expected = 'Valid' }
            # the method
            @{ Allowlist = 'CALL system.info'; Method = 'GET'; Resource = 'system.info'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL system.info'; Method = 'call'; Resource = 'system.info'; Expected = 'Valid' }
            @{ Allowlist = '* system.info'; Method = 'SUBSCRIBE'; Resource = 'system.info'; Expected = 'Valid' }
            @{ Allowlist = '* system.info'; Method = 'DELETE'; Resource = 'system.info'; Expected = 'Valid' }
            @{ Allowlist = '* system.info'; Method = 'DELETE'; Resource = 'system.infos'; Expected = 'Forbidden' }
            @{ Allowlist = '* *'; Method = 'PUT'; Resource = '/anything/at/all'; Expected = 'Valid' }
            # the resource
            @{ Allowlist = 'CALL system.info'; Method = 'CALL'; Resource = 'System.Info'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL system.info'; Method = 'CALL'; Resource = 'system.inf'; Expected = 'Forbidden' }
            @{ Allowlist = 'GET /pool'; Method = 'GET'; Resource = '/pool/'; Expected = 'Forbidden' }
            @{ Allowlist = 'GET /pool/*'; Method = 'GET'; Resource = '/pool/tank/dataset'; Expected = 'Valid' }
            @{ Allowlist = 'GET /pool/*'; Method = 'GET'; Resource = '/pool'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL *.query'; Method = 'CALL'; Resource = 'certificate.query'; Expected = 'Valid' }
            @{ Allowlist = 'CALL *.query'; Method = 'CALL'; Resource = 'certificate.query.x'; Expected = 'Forbidden' }
            # without '*' the resource is compared literally: '?' and '[..]' are no wildcards then
            @{ Allowlist = 'CALL system.inf?'; Method = 'CALL'; Resource = 'system.info'; Expected = 'Forbidden' }
            @{ Allowlist = 'CALL system.inf?'; Method = 'CALL'; Resource = 'system.inf?'; Expected = 'Valid' }
            @{ Allowlist = 'CALL system.[a-z]nfo'; Method = 'CALL'; Resource = 'system.info'; Expected = 'Forbidden' }
            # with '*' the whole fnmatch pattern applies
            @{ Allowlist = 'CALL disk.?sd*'; Method = 'CALL'; Resource = 'disk.ssd_info'; Expected = 'Valid' }
            @{ Allowlist = 'CALL disk.?sd*'; Method = 'CALL'; Resource = 'disk.sd_info'; Expected = 'Forbidden' }
            # injection text is only text
            @{ Allowlist = 'GET /pool'; Method = 'GET'; Resource = "/pool' OR '1'='1"; Expected = 'Forbidden' }
        ) {
            $entryMethod, $entryResource = $Allowlist -split ' ', 2
            $issued = New-ApiKey -StorePath $store -Name 'authz' -Allowlist @{ method = $entryMethod; resource = $entryResource }
            $result = Test-ApiKey -StorePath $store -Key $issued.Key -Method $Method -Resource $Resource -Detailed
            $result.Code | Should -Be $Expected
            $result.Valid | Should -Be ($Expected -eq 'Valid')
            # The key is genuine, so who it is may be told.
            $result.Id | Should -Be $issued.Id
            $result.Name | Should -BeExactly 'authz'
            if ($Expected -eq 'Valid') {
                "$($result.AllowedBy)" | Should -BeExactly $Allowlist
                $result.AllowedBy.GetType().FullName | Should -Be 'ApiKeyModule.AllowlistEntry'
            }
            else {
                $result.AllowedBy | Should -BeNullOrEmpty
            }
            Test-ApiKey -StorePath $store -Key $issued.Key -Method $Method -Resource $Resource | Should -Be ($Expected -eq 'Valid')
        }

        It 'names the entry that allowed the call in AllowedBy' {
            $result = Test-ApiKey -StorePath $store -Key $key.Key -Method GET -Resource '/pool/tank' -Detailed
            $result.AllowedBy.Method | Should -BeExactly 'GET'
            $result.AllowedBy.Resource | Should -BeExactly '/pool/*'
            $result = Test-ApiKey -StorePath $store -Key $key.Key -Method CALL -Resource 'system.info' -Detailed
            "$($result.AllowedBy)" | Should -BeExactly 'CALL system.info'
        }

        It 'does not allow a call that only another key''s allowlist allows' {
            (Test-ApiKey -StorePath $store -Key $key.Key -Method GET -Resource '/other' -Detailed).Code | Should -Be 'Forbidden'
        }

        It 'follows a changed allowlist at once' {
            Set-ApiKey -StorePath $store -Id $key.Id -Allowlist @{ method = 'GET'; resource = '/new' }
            (Test-ApiKey -StorePath $store -Key $key.Key -Method CALL -Resource 'system.info' -Detailed).Code | Should -Be 'Forbidden'
            (Test-ApiKey -StorePath $store -Key $key.Key -Method GET -Resource '/new' -Detailed).Code | Should -Be 'Valid'
        }

        Context 'an empty allowlist' {
            BeforeEach {
                $empty = New-ApiKey -StorePath $store -Name 'empty' -WarningAction SilentlyContinue
            }

            It 'allows nothing: <Method> <Resource> is Forbidden' -ForEach @(
                @{ Method = 'CALL'; Resource = 'system.info' }
                @{ Method = 'GET'; Resource = '/' }
                @{ Method = 'SUBSCRIBE'; Resource = '*' }
            ) {
                $result = Test-ApiKey -StorePath $store -Key $empty.Key -Method $Method -Resource $Resource -Detailed
                $result.Code | Should -Be 'Forbidden'
                $result.Valid | Should -BeFalse
                $result.Id | Should -Be $empty.Id
                $result.AllowedBy | Should -BeNullOrEmpty
            }

            It 'still verifies the key alone (no -Method/-Resource) as Valid' {
                (Test-ApiKey -StorePath $store -Key $empty.Key -Detailed).Code | Should -Be 'Valid'
                Test-ApiKey -StorePath $store -Key $empty.Key | Should -BeTrue
            }

            It 'becomes Forbidden again after the allowlist is cleared with Set-ApiKey -Allowlist @()' {
                (Test-ApiKey -StorePath $store -Key $key.Key -Method CALL -Resource 'system.info' -Detailed).Code | Should -Be 'Valid'
                Set-ApiKey -StorePath $store -Id $key.Id -Allowlist @() -WarningAction SilentlyContinue
                (Test-ApiKey -StorePath $store -Key $key.Key -Method CALL -Resource 'system.info' -Detailed).Code | Should -Be 'Forbidden'
            }
        }
    }

    Context 'errors' {
        It 'throws a terminating IncompleteRequest (InvalidArgument) error with only <Case>' -ForEach @(
            @{ Case = '-Method'; Arguments = @{ Method = 'GET' } }
            @{ Case = '-Resource'; Arguments = @{ Resource = '/pool' } }
        ) {
            $thrown = { Test-ApiKey -StorePath $store -Key $key.Key @Arguments -ErrorAction SilentlyContinue } |
                Should -Throw -ErrorId 'IncompleteRequest,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'throws IncompleteRequest before verifying any piped key' {
            $output = [System.Collections.Generic.List[object]]::new()
            { $key.Key, $other.Key | Test-ApiKey -StorePath $store -Method GET | ForEach-Object { $output.Add($_) } } |
                Should -Throw -ErrorId 'IncompleteRequest,*'
            $output.Count | Should -Be 0
        }

        It 'refuses a method that is not a request method (<Method>)' -ForEach @(
            @{ Method = 'PATCH' }
            @{ Method = '*' }
        ) {
            { Test-ApiKey -StorePath $store -Key $key.Key -Method $Method -Resource '/pool' } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }

        It 'writes no error for any refused key' {
            $records = Get-ErrorRecord {
                Test-ApiKey -StorePath $store -Key 'garbage'
                Test-ApiKey -StorePath $store -Key "$($key.Id)-$(New-RandomSecret)"
                Test-ApiKey -StorePath $store -Key $key.Key -Method PUT -Resource '/nope'
            }
            @($records).Count | Should -Be 0
        }
    }
}

Describe 'Test-ApiKey on a store it may not write' {
    It 'verifies every key of a read-only store file, and warns once for the whole command' -Tag File {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        # Root writes read-only files anyway: the immutable attribute stops root too.
        $isRoot = (& id -u) -eq '0'
        if ($isRoot) { & chattr +i $store; if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'chattr +i failed here'; return } }
        else { [IO.File]::SetUnixFileMode($store, [IO.UnixFileMode]::UserRead) }
        try {
            $keys = "$($key.Id)-$('x' * 64)", $key.Key, 'garbage', $key.Key
            $records = Get-ErrorRecord { $script:results = @($keys | Test-ApiKey -StorePath $store -WarningVariable script:warnings -WarningAction SilentlyContinue) }
            @($records).Count | Should -Be 0
            $script:results | Should -Be @($false, $true, $false, $true)
            @($script:warnings).Count | Should -Be 1
            "$($script:warnings[0])" | Should -Match 'could not be recorded'
            "$($script:warnings[0])" | Should -Match 'cannot be written'
            "$($script:warnings[0])" | Should -Match 'not affected'
        }
        finally {
            if ($isRoot) { & chattr -i $store } else { [IO.File]::SetUnixFileMode($store, [IO.UnixFileMode]'UserRead, UserWrite') }
        }
        @(Get-ApiKeyAuditLog -StorePath $store).Action | Should -Be @('Create')
        (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -BeNullOrEmpty
    }

    It 'verifies every key with a PostgreSQL role allowed only to read, and warns once' -Tag Server {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        $schema = Get-StoreSchema $store
        $role = "reader_$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        $password = [guid]::NewGuid().ToString('N')
        Invoke-StoreNonQuery $env:APIKEYMODULE_TEST_POSTGRES "CREATE ROLE $role LOGIN PASSWORD '$password'; GRANT USAGE ON SCHEMA `"$schema`" TO $role; GRANT SELECT ON ALL TABLES IN SCHEMA `"$schema`" TO $role"
        try {
            $bare = ($store -replace ';Username=[^;]*', '' -replace ';Password=[^;]*', '')
            $credential = [pscredential]::new($role, (ConvertTo-SecureString $password -AsPlainText -Force))
            $records = Get-ErrorRecord { $script:results = @("$($key.Id)-$('x' * 64)", $key.Key | Test-ApiKey -ConnectionString $bare -Credential $credential -WarningVariable script:warnings -WarningAction SilentlyContinue) }
            @($records).Count | Should -Be 0
            $script:results | Should -Be @($false, $true)
            @($script:warnings).Count | Should -Be 1
            "$($script:warnings[0])" | Should -Match 'could not be recorded'
            "$($script:warnings[0])" | Should -Not -Match ([regex]::Escape($password))
        }
        finally {
            Invoke-StoreNonQuery $env:APIKEYMODULE_TEST_POSTGRES "REVOKE ALL ON ALL TABLES IN SCHEMA `"$schema`" FROM $role; REVOKE ALL ON SCHEMA `"$schema`" FROM $role; DROP ROLE $role"
        }
        @(Get-ApiKeyAuditLog -StorePath $store).Action | Should -Be @('Create')
    }
}
