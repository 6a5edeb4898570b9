# Get-ApiKeyAuditLog: a row for every change and every failed verification, filters, and no key material anywhere.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    function Get-Secret([string] $Key) {
        $Key.Substring($Key.IndexOf('-') + 1)
    }

    # Waits until the clock has moved on by a few milliseconds, so that rows written before and after have
    # different times (the log keeps milliseconds). Not a timing assertion: it only orders the writes.
    function Wait-ClockTick {
        $start = [datetime]::UtcNow
        Start-Sleep -Milliseconds 20
        while ([datetime]::UtcNow -le $start.AddMilliseconds(5)) { Start-Sleep -Milliseconds 5 }
    }

    # The log's actions, newest first, as one line, e.g. 'Delete,Revoke,Create'.
    function Format-Actions($Entries) {
        @($Entries | ForEach-Object Action) -join ','
    }

    # Everything an item of any PowerShell stream shows, as text to search for secrets.
    function ConvertTo-SearchText($Item) {
        $texts = [System.Collections.Generic.List[string]]::new()
        $texts.Add(($Item | Out-String -Width 100000))
        if ($Item -is [System.Management.Automation.ErrorRecord]) {
            $texts.Add($Item.ToString())
            $texts.Add($Item.Exception.ToString())
            $texts.Add("$($Item.TargetObject)")
            $texts.Add($Item.CategoryInfo.ToString())
            $texts.Add("$($Item.ErrorDetails)")
            $texts.Add("$($Item.FullyQualifiedErrorId)")
        }
        elseif ($Item -is [System.Management.Automation.InformationalRecord]) {
            $texts.Add($Item.Message)
        }
        elseif ($Item -is [System.Management.Automation.InformationRecord]) {
            $texts.Add("$($Item.MessageData)")
        }
        else {
            $texts.Add("$Item")
            $texts.Add(($Item | ConvertTo-Json -Depth 4 -Compress -WarningAction SilentlyContinue))
        }
        $texts -join "`n"
    }
}

Describe 'Get-ApiKeyAuditLog' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    Context 'the rows of each action' {
        BeforeEach {
            $key = New-ApiKey -StorePath $store -Name 'a' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        }

        It 'writes ApiKeyAuditEntry objects with the user, host and process, at a UTC time' {
            $before = [datetime]::UtcNow.AddMilliseconds(-1)
            Set-ApiKey -StorePath $store -Id $key.Id -Name 'b'
            $after = [datetime]::UtcNow
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.GetType().FullName | Should -Be 'ApiKeyModule.ApiKeyAuditEntry'
            $entry.Action | Should -BeExactly 'Rename'
            $entry.User | Should -BeExactly ([Environment]::UserName)
            $entry.Host | Should -BeExactly ([Environment]::MachineName)
            $entry.ProcessId | Should -Be $PID
            $entry.Time | Should -BeOfType [datetime]
            $entry.Time.Kind | Should -Be 'Utc'
            $entry.Time | Should -BeGreaterOrEqual $before
            $entry.Time | Should -BeLessOrEqual $after
        }

        It 'writes one Create row for a new key' {
            $entries = @(Get-ApiKeyAuditLog -StorePath $store)
            $entries.Count | Should -Be 1
            $entries[0].Action | Should -BeExactly 'Create'
            $entries[0].KeyId | Should -Be $key.Id
            $entries[0].KeyName | Should -BeExactly 'a'
            $entries[0].OldValue | Should -BeNullOrEmpty
        }

        It 'writes a Rename row with the old and new name' {
            Set-ApiKey -StorePath $store -Id $key.Id -Name 'b'
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'Rename'
            $entry.KeyId | Should -Be $key.Id
            $entry.OldValue | Should -BeExactly 'a'
            $entry.NewValue | Should -BeExactly 'b'
        }

        It 'writes a SetAllowlist row with the old and new allowlist' {
            Set-ApiKey -StorePath $store -Id $key.Id -Allowlist @{ method = 'GET'; resource = '/pool' }
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'SetAllowlist'
            $entry.KeyId | Should -Be $key.Id
            $entry.KeyName | Should -BeExactly 'a'
            $entry.OldValue | Should -BeExactly 'CALL system.info'
            $entry.NewValue | Should -BeExactly 'GET /pool'
        }

        It 'writes a Reset row' {
            $null = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'Reset'
            $entry.KeyId | Should -Be $key.Id
            $entry.KeyName | Should -BeExactly 'a'
        }

        It 'writes a SetExpiry row for <Case>' -ForEach @(
            @{ Case = '-ExpiresAt'; Arguments = @{ ExpiresAt = [datetime]::UtcNow.AddDays(30) } }
            @{ Case = '-NeverExpires on a key that expires'; Arguments = @{ NeverExpires = $true }; Expiring = $true }
        ) {
            if ($Expiring) { Set-ApiKey -StorePath $store -Id $key.Id -ExpiresAt (Get-Date).AddDays(1) }
            Set-ApiKey -StorePath $store -Id $key.Id @Arguments
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'SetExpiry'
            $entry.KeyId | Should -Be $key.Id
            $entry.NewValue | Should -Not -BeNullOrEmpty
            $entry.NewValue | Should -Not -Be $entry.OldValue
        }

        It 'writes a Revoke row with the reason in Details' {
            Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'found in a public repository'
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'Revoke'
            $entry.KeyId | Should -Be $key.Id
            $entry.KeyName | Should -BeExactly 'a'
            $entry.Details | Should -BeExactly 'found in a public repository'
        }

        It 'writes a Delete row, and keeps the key''s rows after Remove-ApiKey' {
            Set-ApiKey -StorePath $store -Id $key.Id -Name 'b'
            Remove-ApiKey -StorePath $store -Id $key.Id
            $entries = @(Get-ApiKeyAuditLog -StorePath $store -Id $key.Id)
            Format-Actions $entries | Should -BeExactly 'Delete,Rename,Create'
            $entries[0].KeyId | Should -Be $key.Id
            $entries[0].KeyName | Should -BeExactly 'b'
        }

        It 'writes one row per change for a Set-ApiKey with several, in one call' {
            $null = Set-ApiKey -StorePath $store -Id $key.Id -Name 'b' -Allowlist @{ method = 'GET'; resource = '/pool' } -Reset -ExpiresAt (Get-Date).AddDays(1)
            $entries = @(Get-ApiKeyAuditLog -StorePath $store | Where-Object Action -NE 'Create')
            (@($entries.Action) | Sort-Object) -join ',' | Should -BeExactly 'Rename,Reset,SetAllowlist,SetExpiry'
            $entries | ForEach-Object { $_.KeyId | Should -Be $key.Id }
        }

        It 'writes VerificationFailed rows with the code (and request) in Details: <Expected>' -ForEach @(
            @{ Expected = 'Forbidden: GET /other'; Known = $true; Make = { param($k, $s) Test-ApiKey -StorePath $s -Key $k.Key -Method GET -Resource '/other' } }
            @{ Expected = 'Forbidden: GET /other'; Known = $true; Make = { param($k, $s) Test-ApiKey -StorePath $s -Key $k.Key -Method get -Resource '/other' } }
            @{ Expected = 'Malformed'; Known = $false; Make = { param($k, $s) Test-ApiKey -StorePath $s -Key 'not-a-key' } }
            @{ Expected = 'Malformed: CALL system.info'; Known = $false; Make = { param($k, $s) Test-ApiKey -StorePath $s -Key 'nope' -Method CALL -Resource 'system.info' } }
            @{ Expected = 'NotFound'; Known = $false; Make = { param($k, $s) Test-ApiKey -StorePath $s -Key "$($k.Id)-$('x' * 64)" } }
            @{ Expected = 'Revoked'; Known = $true; Make = { param($k, $s) Revoke-ApiKey -StorePath $s -Id $k.Id; Test-ApiKey -StorePath $s -Key $k.Key } }
        ) {
            & $Make $key $store | Should -BeFalse
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'VerificationFailed'
            $entry.Details | Should -BeExactly $Expected
            if ($Known) {
                $entry.KeyId | Should -Be $key.Id
                $entry.KeyName | Should -BeExactly 'a'
            }
            else {
                $entry.KeyName | Should -BeNullOrEmpty
            }
        }

        It 'writes no row for a successful verification' {
            Test-ApiKey -StorePath $store -Key $key.Key | Should -BeTrue
            Test-ApiKey -StorePath $store -Key $key.Key -Method CALL -Resource 'system.info' | Should -BeTrue
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store) | Should -BeExactly 'Create'
        }

        It 'writes no row for <Case>' -ForEach @(
            @{ Case = '-WhatIf'; Run = { param($k, $s) Set-ApiKey -StorePath $s -Id $k.Id -Name 'x' -WhatIf; Revoke-ApiKey -StorePath $s -Id $k.Id -WhatIf; Remove-ApiKey -StorePath $s -Id $k.Id -WhatIf; New-ApiKey -StorePath $s -Name 'y' -WhatIf } }
            @{ Case = 'a refused change'; Run = { param($k, $s) New-ApiKey -StorePath $s -Name 'A' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue; Set-ApiKey -StorePath $s -Id 9999 -Name 'z' -ErrorAction SilentlyContinue } }
            @{ Case = 'reading'; Run = { param($k, $s) $null = Get-ApiKey -StorePath $s; $null = Get-ApiKeyAuditLog -StorePath $s } }
        ) {
            $null = & $Run $key $store
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store) | Should -BeExactly 'Create'
        }

        It 'lists the rows newest first' {
            Wait-ClockTick; Set-ApiKey -StorePath $store -Id $key.Id -Name 'b'
            Wait-ClockTick; Set-ApiKey -StorePath $store -Id $key.Id -Allowlist @{ method = 'GET'; resource = '/pool' }
            Wait-ClockTick; $null = Set-ApiKey -StorePath $store -Id $key.Id -Reset
            Wait-ClockTick; Revoke-ApiKey -StorePath $store -Id $key.Id -Reason 'r'
            Wait-ClockTick; $null = Test-ApiKey -StorePath $store -Key 'x'
            Wait-ClockTick; Remove-ApiKey -StorePath $store -Id $key.Id
            $entries = @(Get-ApiKeyAuditLog -StorePath $store)
            Format-Actions $entries | Should -BeExactly 'Delete,VerificationFailed,Revoke,Reset,SetAllowlist,Rename,Create'
            for ($i = 1; $i -lt $entries.Count; $i++) {
                $entries[$i - 1].Time | Should -BeGreaterThan $entries[$i].Time
                $entries[$i - 1].Id | Should -BeGreaterThan $entries[$i].Id
            }
        }

        It 'lists the rows of one call newest first too (same millisecond)' {
            $null = Set-ApiKey -StorePath $store -Id $key.Id -Name 'b' -Reset
            $entries = @(Get-ApiKeyAuditLog -StorePath $store)
            $entries.Count | Should -Be 3
            for ($i = 1; $i -lt $entries.Count; $i++) {
                $entries[$i - 1].Id | Should -BeGreaterThan $entries[$i].Id
            }
        }
    }

    Context 'filters' {
        BeforeEach {
            $a = New-ApiKey -StorePath $store -Name 'alpha' -Allowlist @{ method = 'GET'; resource = '/a' }
            $b = New-ApiKey -StorePath $store -Name 'beta' -Allowlist @{ method = 'GET'; resource = '/b' }
            $c = New-ApiKey -StorePath $store -Name 'gamma' -Allowlist @{ method = 'GET'; resource = '/c' }
            Set-ApiKey -StorePath $store -Id $a.Id -Name 'alpha2'
            Revoke-ApiKey -StorePath $store -Id $b.Id -Reason 'b'
            $null = Test-ApiKey -StorePath $store -Key 'malformed'
        }

        It 'returns every row without a filter' {
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store) | Should -BeExactly 'VerificationFailed,Revoke,Rename,Create,Create,Create'
        }

        It 'returns only the rows of one key with -Id' {
            $entries = @(Get-ApiKeyAuditLog -StorePath $store -Id $a.Id)
            Format-Actions $entries | Should -BeExactly 'Rename,Create'
            $entries | ForEach-Object { $_.KeyId | Should -Be $a.Id }
        }

        It 'takes -Id by position' {
            Format-Actions (Get-ApiKeyAuditLog $b.Id -StorePath $store) | Should -BeExactly 'Revoke,Create'
        }

        It 'returns the rows of several keys with -Id a, b (newest first)' {
            $entries = @(Get-ApiKeyAuditLog -StorePath $store -Id $a.Id, $b.Id)
            $entries.Count | Should -Be 4
            ($entries.KeyId | Sort-Object -Unique) -join ',' | Should -Be "$($a.Id),$($b.Id)"
            $entries.Action | Should -Not -Contain 'VerificationFailed'
        }

        It 'returns nothing, and no error, for an id no row speaks of' {
            $records = Get-ErrorRecord { Get-ApiKeyAuditLog -StorePath $store -Id 9999 }
            @($records).Count | Should -Be 0
            Get-ApiKeyAuditLog -StorePath $store -Id 9999 | Should -BeNullOrEmpty
        }

        It 'takes Id from piped keys (Get-ApiKey x | Get-ApiKeyAuditLog)' {
            $entries = @(Get-ApiKey -StorePath $store -Name 'gamma' | Get-ApiKeyAuditLog -StorePath $store)
            Format-Actions $entries | Should -BeExactly 'Create'
            $entries[0].KeyId | Should -Be $c.Id
        }

        It 'gives the rows of each piped key' {
            $entries = @(Get-ApiKey -StorePath $store -Id $a.Id, $b.Id | Get-ApiKeyAuditLog -StorePath $store)
            $entries.Count | Should -Be 4
            ($entries.KeyId | Sort-Object -Unique) -join ',' | Should -Be "$($a.Id),$($b.Id)"
        }

        It 'takes Id from any object''s Id property' {
            Format-Actions ([pscustomobject]@{ Id = $b.Id } | Get-ApiKeyAuditLog -StorePath $store) | Should -BeExactly 'Revoke,Create'
        }

        It 'still finds the rows of a removed key by its id' {
            Remove-ApiKey -StorePath $store -Id $a.Id
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -Id $a.Id) | Should -BeExactly 'Delete,Rename,Create'
        }

        It 'returns nothing, and no error, for a store with no rows' {
            $empty = New-TestStorePath $TestDrive
            $records = Get-ErrorRecord { Get-ApiKeyAuditLog -StorePath $empty }
            @($records).Count | Should -Be 0
            Get-ApiKeyAuditLog -StorePath $empty | Should -BeNullOrEmpty
        }
    }

    Context 'time range' {
        BeforeEach {
            $key = New-ApiKey -StorePath $store -Name 'first' -Allowlist @{ method = 'GET'; resource = '/' }
            Wait-ClockTick
            $t1 = [datetime]::UtcNow
            Wait-ClockTick
            Set-ApiKey -StorePath $store -Id $key.Id -Name 'second'
            Wait-ClockTick
            $t2 = [datetime]::UtcNow
            Wait-ClockTick
            Revoke-ApiKey -StorePath $store -Id $key.Id
        }

        It 'returns the rows after <Case> with -After' -ForEach @(
            @{ Case = 'a UTC time'; Convert = { param($t) $t } }
            @{ Case = 'the same time as local time'; Convert = { param($t) $t.ToLocalTime() } }
        ) {
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After (& $Convert $t1)) | Should -BeExactly 'Revoke,Rename'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After (& $Convert $t2)) | Should -BeExactly 'Revoke'
        }

        It 'returns the rows before <Case> with -Before' -ForEach @(
            @{ Case = 'a UTC time'; Convert = { param($t) $t } }
            @{ Case = 'the same time as local time'; Convert = { param($t) $t.ToLocalTime() } }
        ) {
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -Before (& $Convert $t1)) | Should -BeExactly 'Create'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -Before (& $Convert $t2)) | Should -BeExactly 'Rename,Create'
        }

        It 'returns the rows between -After and -Before' {
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After $t1 -Before $t2) | Should -BeExactly 'Rename'
        }

        It 'combines the time range with -Id' {
            $other = New-ApiKey -StorePath $store -Name 'other' -Allowlist @{ method = 'GET'; resource = '/' }
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After $t1) | Should -BeExactly 'Create,Revoke,Rename'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After $t1 -Id $key.Id) | Should -BeExactly 'Revoke,Rename'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After $t1 -Id $other.Id) | Should -BeExactly 'Create'
        }

        It 'takes a row''s own Time as an exclusive bound' {
            $rename = Get-ApiKeyAuditLog -StorePath $store | Where-Object Action -EQ 'Rename'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After $rename.Time) | Should -BeExactly 'Revoke'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -Before $rename.Time) | Should -BeExactly 'Create'
        }

        It 'returns a row whose Time is less than a millisecond before -Before' {
            # -Before is exclusive, but a row at 12:00:00.371 was written before 12:00:00.3715.
            $rename = Get-ApiKeyAuditLog -StorePath $store | Where-Object Action -EQ 'Rename'
            $bound = $rename.Time.AddTicks(5000)
            $rename.Time | Should -BeLessThan $bound
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -Before $bound) | Should -BeExactly 'Rename,Create'
        }

        It 'leaves out a row whose Time is less than a millisecond after -After' {
            $rename = Get-ApiKeyAuditLog -StorePath $store | Where-Object Action -EQ 'Rename'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After $rename.Time.AddTicks(5000)) | Should -BeExactly 'Revoke'
            Format-Actions (Get-ApiKeyAuditLog -StorePath $store -After $rename.Time.AddTicks(-5000)) | Should -BeExactly 'Revoke,Rename'
        }

        It 'returns nothing for a range with no rows' {
            Get-ApiKeyAuditLog -StorePath $store -After ([datetime]::UtcNow.AddDays(1)) | Should -BeNullOrEmpty
            Get-ApiKeyAuditLog -StorePath $store -Before ([datetime]'2000-01-01') | Should -BeNullOrEmpty
            Get-ApiKeyAuditLog -StorePath $store -After $t2 -Before $t1 | Should -BeNullOrEmpty
        }
    }

    Context 'errors' {
        It 'reports a damaged store with a Store* ErrorId, as the other cmdlets do, not a raw SqliteException' {
            $key = New-ApiKey -StorePath $store -Name 'a' -Allowlist @{ method = 'GET'; resource = '/' }
            Invoke-StoreNonQuery $store 'DROP TABLE audit_log'
            # What the other cmdlets report for the same store (they write to the missing table).
            $other = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $key.Id -Name 'b' }
            $other[0].FullyQualifiedErrorId | Should -BeLike 'Store*,*'
            $records = Get-ErrorRecord { Get-ApiKeyAuditLog -StorePath $store }
            @($records).Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'Store*,*'
            $records[0].FullyQualifiedErrorId | Should -Not -BeLike '*SqliteException*'
            $records[0].CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        }

        It 'refuses an -Id below 1' {
            { Get-ApiKeyAuditLog -StorePath $store -Id 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'no key material' {
        BeforeEach {
            # A busy life: keys created, reset, verified rightly and wrongly (with real secrets in the wrong
            # places), revoked, renamed and removed.
            $issued = [System.Collections.Generic.List[object]]::new()
            $one = New-ApiKey -StorePath $store -Name 'one' -Allowlist @{ method = 'CALL'; resource = 'system.*' }
            $two = New-ApiKey -StorePath $store -Name 'two' -Allowlist @{ method = 'GET'; resource = '/pool' } -ExpiresAt (Get-Date).AddDays(1)
            $issued.Add($one); $issued.Add($two)
            $reset = Set-ApiKey -StorePath $store -Id $one.Id -Reset
            $issued.Add($reset)
            $null = Test-ApiKey -StorePath $store -Key $reset.Key -Method CALL -Resource 'system.info'
            $null = Test-ApiKey -StorePath $store -Key $one.Key
            $null = Test-ApiKey -StorePath $store -Key $two.Key -Method CALL -Resource 'system.info'
            $null = Test-ApiKey -StorePath $store -Key "$($two.Id)-$(Get-Secret $reset.Key)"
            $null = Test-ApiKey -StorePath $store -Key ($two.Key + 'x')
            $null = Test-ApiKey -StorePath $store -Key (Get-Secret $two.Key)
            Revoke-ApiKey -StorePath $store -Id $two.Id -Reason 'rotation'
            $null = Test-ApiKey -StorePath $store -Key $two.Key
            $three = Set-ApiKey -StorePath $store -Id $two.Id -Reset -Name 'two-renamed'
            $issued.Add($three)
            Remove-ApiKey -StorePath $store -Id $one.Id
            $secrets = @($issued | ForEach-Object { Get-Secret $_.Key })
        }

        It 'the log has a row for what happened (so the search below has text to search)' {
            $actions = @(Get-ApiKeyAuditLog -StorePath $store).Action
            foreach ($action in 'Create', 'Reset', 'Rename', 'Revoke', 'Delete', 'VerificationFailed') {
                $actions | Should -Contain $action
            }
        }

        It 'Get-ApiKeyAuditLog | ConvertTo-Json holds none of the issued secrets' {
            $json = Get-ApiKeyAuditLog -StorePath $store | ConvertTo-Json -Depth 5
            $json | Should -Not -BeNullOrEmpty
            foreach ($secret in $secrets) {
                $json.Contains($secret) | Should -BeFalse -Because 'the audit log must never hold a key'
            }
        }

        It 'the store holds no secret, only hashes: in its files, or in any row of its tables on the server' {
            if (Test-PostgresStore $store) {
                $text = (Invoke-StoreRows $store "SELECT k::text AS row FROM api_keys k UNION ALL SELECT a::text FROM audit_log a UNION ALL SELECT i::text FROM store_info i").row -join "`n"
            }
            else {
                [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
                $files = @(Get-ChildItem -LiteralPath (Split-Path $store) -Filter "$(Split-Path $store -Leaf)*")
                $files.Count | Should -BeGreaterThan 0
                $text = ($files | ForEach-Object { [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($_.FullName)) }) -join "`n"
            }
            $text | Should -Match 'rotation'
            foreach ($secret in $secrets) {
                $text.Contains($secret) | Should -BeFalse
            }
        }
    }

    Context 'no key material in any stream' {
        It 'writes no secret in any stream of any cmdlet (-Verbose), except the output objects of New-ApiKey and Set-ApiKey -Reset' {
            $allowed = [System.Collections.Generic.List[object]]::new()
            $checked = [System.Collections.Generic.List[object]]::new()
            $issuedBy = { param($items) foreach ($item in $items) { if ($item -is [ApiKeyModule.IssuedApiKey]) { $allowed.Add($item) } else { $checked.Add($item) } } }
            $others = { param($items) foreach ($item in $items) { $checked.Add($item) } }
            # Runs a command with every stream merged into the output; a terminating error becomes an item too.
            $capture = { param([scriptblock] $Command) try { & $Command *>&1 } catch { $_ } }

            & $issuedBy (& $capture { New-ApiKey -StorePath $store -Name 'one' -Allowlist @{ method = 'CALL'; resource = 'system.info' } -Verbose })
            $one = $allowed[-1]
            & $issuedBy (& $capture { New-ApiKey -StorePath $store -Name 'empty' -Verbose })
            $empty = $allowed[-1]
            & $issuedBy (& $capture { New-ApiKey -StorePath $store -Name 'ONE' -Verbose })
            & $issuedBy (& $capture { Set-ApiKey -StorePath $store -Id $one.Id -Reset -Verbose })
            $reset = $allowed[-1]
            & $issuedBy (& $capture { $empty | Set-ApiKey -StorePath $store -Reset -Name 'renamed' -Verbose })
            & $issuedBy (& $capture { Set-ApiKey -StorePath $store -Id $one.Id -Reset -Name 'RENAMED' -Verbose })
            $all = @($allowed)

            & $others (& $capture { Test-ApiKey -StorePath $store -Key $reset.Key -Verbose })
            & $others (& $capture { Test-ApiKey -StorePath $store -Key $reset.Key -Method CALL -Resource 'system.info' -Detailed -Verbose })
            & $others (& $capture { $reset | Test-ApiKey -StorePath $store -Method GET -Resource '/x' -Detailed -Verbose })
            & $others (& $capture { Test-ApiKey -StorePath $store -Key $one.Key -Detailed -Verbose })
            & $others (& $capture { Test-ApiKey -StorePath $store -Key ($reset.Key + 'x') -Detailed -Verbose })
            & $others (& $capture { Test-ApiKey -StorePath $store -Key "$($empty.Id)-$(Get-Secret $reset.Key)" -Detailed -Verbose })
            & $others (& $capture { Test-ApiKey -StorePath $store -Key $reset.Key -Method GET -Verbose })
            & $others (& $capture { Test-ApiKey -StorePath $store -Key $reset.Key -Method PATCH -Resource '/x' -Verbose })
            & $others (& $capture { Set-ApiKey -StorePath $store -Id $one.Id -Name 'one-renamed' -PassThru -Verbose })
            & $others (& $capture { $reset | Set-ApiKey -StorePath $store -Allowlist @{ method = 'GET'; resource = '/y' } -PassThru -Verbose })
            & $others (& $capture { Revoke-ApiKey -StorePath $store -Id $one.Id -Reason 'test' -PassThru -Verbose })
            & $others (& $capture { Test-ApiKey -StorePath $store -Key $reset.Key -Detailed -Verbose })
            & $others (& $capture { Get-ApiKey -StorePath $store -Verbose })
            & $others (& $capture { Get-ApiKey -StorePath $store -Id 9999 -Verbose })
            & $others (& $capture { Get-ApiKeyAuditLog -StorePath $store -Verbose })
            & $others (& $capture { $all | Remove-ApiKey -StorePath $store -Verbose })
            & $others (& $capture { Remove-ApiKey -StorePath $store -Id $one.Id -Verbose })

            # The capture works: the issued keys were caught, each with its secret, and the other streams too.
            $secrets = @($all | ForEach-Object { Get-Secret $_.Key } | Sort-Object -Unique)
            $secrets.Count | Should -Be 4
            $all | ForEach-Object { $_.Key | Should -MatchExactly '^\d+-[A-Za-z0-9]{64}$' }
            @($checked | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 10
            @($checked | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 3
            @($checked | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count | Should -BeGreaterThan 0
            @($checked | Where-Object { $_ -is [ApiKeyModule.IssuedApiKey] }).Count | Should -Be 0

            foreach ($item in $checked) {
                $text = ConvertTo-SearchText $item
                foreach ($secret in $secrets) {
                    $text.Contains($secret) | Should -BeFalse -Because "no stream may show a key, but this $($item.GetType().Name) does: $text"
                }
            }
            foreach ($item in $allowed) {
                $text = ConvertTo-SearchText $item
                # The search sees what an object shows: here its own key.
                $text.Contains((Get-Secret $item.Key)) | Should -BeTrue
                $otherSecrets = @($secrets | Where-Object { $_ -ne (Get-Secret $item.Key) })
                foreach ($secret in $otherSecrets) {
                    $text.Contains($secret) | Should -BeFalse -Because 'an issued key shows its own key only'
                }
            }
            $json = Get-ApiKeyAuditLog -StorePath $store | ConvertTo-Json -Depth 5
            foreach ($secret in $secrets) {
                $json.Contains($secret) | Should -BeFalse
            }
        }
    }
}

Describe 'Get-ApiKeyAuditLog: failed verifications counted together' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
    }

    It 'writes one entry for failures alike in key, code and call, with Count, Time and LastTime' {
        $wrong = "$($key.Id)-$('x' * 64)"
        $null = $wrong, $wrong, 'garbage', $wrong | ForEach-Object { Start-Sleep -Milliseconds 5; $_ } | Test-ApiKey -StorePath $store
        $entries = @(Get-ApiKeyAuditLog -StorePath $store | Where-Object Action -EQ 'VerificationFailed')
        $entries.Details | Should -Be @('Malformed', 'NotFound')
        @($entries | ForEach-Object { $_.Count }) | Should -Be @(1, 3)
        $entries[1].KeyId | Should -Be $key.Id
        $entries[1].LastTime | Should -BeGreaterThan $entries[1].Time
        $entries[1].LastTime.ToString() | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
        $create = Get-ApiKeyAuditLog -StorePath $store | Where-Object Action -EQ 'Create'
        $create.Count | Should -Be 1
        $create.LastTime | Should -BeNullOrEmpty
    }

    It 'shows the Count column, and the last time of a batch, in the table' {
        $null = "$($key.Id)-$('x' * 64)", "$($key.Id)-$('x' * 64)" | ForEach-Object { Start-Sleep -Milliseconds 5; $_ } | Test-ApiKey -StorePath $store
        $text = Get-ApiKeyAuditLog -StorePath $store | Format-Table | Out-String -Width 200
        $text | Should -Match '(?m)^Time\s+Action\s+Count\s+KeyId\s+KeyName\s+User@Host\s+Change\s*$'
        $text | Should -Match "(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ VerificationFailed\s+2\s+$($key.Id)\s+.*NotFound; last \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s*$"
        $text | Should -Match "(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Create\s+1\s+$($key.Id)\s+svc"
    }
}

Describe 'Get-ApiKeyAuditLog -InputObject with a null among the keys' {
    It 'reads the entries of the keys given, and none for the null, without an error' {
        $store = New-TestStorePath $TestDrive
        $a = New-ApiKey -StorePath $store -Name 'a'
        $null = New-ApiKey -StorePath $store -Name 'b'
        $entries = @(Get-ApiKeyAuditLog -InputObject @($a, $null) -ErrorVariable failed)
        $failed.Count | Should -Be 0
        @($entries.KeyName | Sort-Object -Unique) | Should -Be @('a')
        @(Get-ApiKeyAuditLog -InputObject @($null) -ErrorVariable failed) | Should -BeNullOrEmpty
        $failed.Count | Should -Be 0
    }
}
