# What a new user reaches for first: CSV export and import, the views, names with wildcard characters, -Name on
# Remove-ApiKey and Revoke-ApiKey, and the warnings and messages they read.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive
    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
    }
    $isoUtc = '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
}

Describe 'Export-Csv and Import-Csv' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $csv = Join-Path $TestDrive "keys-$([guid]::NewGuid()).csv"
        $null = New-ApiKey -StorePath $store -Name 'monitoring' -Allowlist @{ method = 'CALL'; resource = 'system.*' }, @{ method = 'GET'; resource = '/pool "main"' } -ExpiresAt (Get-Date).AddDays(30)
        $null = New-ApiKey -StorePath $store -Name 'nothing' -WarningAction Ignore
        $null = New-ApiKey -StorePath $store -Name 'certs' -Allowlist @{ method = 'SUBSCRIBE'; resource = 'certificate.query' }
    }

    It 'writes the allowlist as the JSON the TrueNAS CLI takes, and dates as ISO 8601 UTC' {
        Get-ApiKey -StorePath $store | Export-Csv -LiteralPath $csv
        $rows = Import-Csv -LiteralPath $csv
        $rows[0].Allowlist | Should -BeExactly '[{"method":"CALL","resource":"system.*"},{"method":"GET","resource":"/pool \"main\""}]'
        $rows[1].Allowlist | Should -BeExactly '[]'
        $rows[0].CreatedAt | Should -Match $isoUtc
        $rows[0].ExpiresAt | Should -Match $isoUtc
        $rows[1].ExpiresAt | Should -BeNullOrEmpty
        $rows[0].State | Should -Be 'Active'
        Get-Content -LiteralPath $csv -Raw | Should -Not -Match 'System\.Collections'
    }

    It 'round-trips: Import-Csv | New-ApiKey -StorePath other recreates the names and allowlists' {
        Get-ApiKey -StorePath $store | Export-Csv -LiteralPath $csv
        $other = New-TestStorePath $TestDrive
        $null = Import-Csv -LiteralPath $csv | New-ApiKey -StorePath $other -WarningAction Ignore
        $copied = Get-ApiKey -StorePath $other
        $copied.Name -join ',' | Should -Be 'monitoring,nothing,certs'
        foreach ($key in Get-ApiKey -StorePath $store) {
            Format-Allowlist ($copied | Where-Object Name -eq $key.Name) | Should -BeExactly (Format-Allowlist $key)
        }
    }

    It 'keeps ConvertTo-Json as it was: dates as DateTime, the allowlist as entries' {
        $json = Get-ApiKey -StorePath $store -Name 'monitoring' | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.Allowlist[0].Method | Should -Be 'CALL'
        $json.Allowlist[1].Resource | Should -Be '/pool "main"'
        $json.CreatedAt | Should -BeOfType [datetime]
    }

    It 'leaves the dates DateTime values for scripts: compare, sort, format, AddDays' {
        $key = Get-ApiKey -StorePath $store -Name 'monitoring'
        $key.CreatedAt | Should -BeOfType [datetime]
        $key.CreatedAt -lt (Get-Date).AddMinutes(1) | Should -BeTrue
        (Get-Date).AddMinutes(-5) -lt $key.CreatedAt | Should -BeTrue
        $key.ExpiresAt.AddDays(1) | Should -BeGreaterThan $key.ExpiresAt
        $key.CreatedAt.ToString('yyyy') | Should -Be ([datetime]::UtcNow.ToString('yyyy'))
        "$($key.CreatedAt)" | Should -Not -BeNullOrEmpty
        @(Get-ApiKey -StorePath $store | Where-Object ExpiresAt -gt (Get-Date)).Name | Should -Be 'monitoring'
        @(Get-ApiKey -StorePath $store | Sort-Object ExpiresAt -Descending)[0].Name | Should -Be 'monitoring'
        Get-ApiKey -StorePath $store -Name 'certs' | Set-ApiKey -ExpiresAt (Get-Date).AddDays(60)
        @(Get-ApiKey -StorePath $store | Sort-Object ExpiresAt -Descending).Name -join ',' | Should -Be 'certs,monitoring,nothing'
    }
}

Describe 'Views' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $entries = 1..12 | ForEach-Object { @{ method = 'GET'; resource = "/resource-$_" } }
        $many = New-ApiKey -StorePath $store -Name 'many' -Allowlist $entries
        $revoked = New-ApiKey -StorePath $store -Name 'revoked' -Allowlist @{ method = 'GET'; resource = '/x' }
        Revoke-ApiKey -StorePath $store -Id $revoked.Id -Reason 'lost'
        $expired = New-ApiKey -StorePath $store -Name 'expired' -Allowlist @{ method = 'GET'; resource = '/x' } -ExpiresAt (Get-Date).AddDays(1)
        Invoke-StoreNonQuery $store "UPDATE api_keys SET expires_at = 1000 WHERE id = $($expired.Id)"
    }

    It 'Format-List (TrueNAS get_instance) shows every field, dates in ISO UTC, the allowlist one entry a line' {
        $text = Get-ApiKey -StorePath $store -Id $many.Id | Format-List | Out-String -Width 200
        # Read from the type, so that a field added to keys and left out of the view fails here.
        foreach ($field in [ApiKeyModule.ApiKey].GetProperties().Name) {
            $text | Should -Match "(?m)^$field\s*:" -Because "$field is a field of the key"
        }
        $text | Should -Match '(?m)^CreatedAt\s*:\s*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s*$'
        $text | Should -Match '(?m)^Allowlist\s*:\s*GET /resource-1\s*$'
        foreach ($n in 2..12) { $text | Should -Match "(?m)^\s+GET /resource-$n\s*$" }
    }

    It 'the table shows State: Active, Revoked, Expired' {
        $text = Get-ApiKey -StorePath $store | Format-Table | Out-String -Width 200
        $text | Should -Match '(?m)^\s*\d+\s+many\s+Active\s'
        $text | Should -Match '(?m)^\s*\d+\s+revoked\s+Revoked\s'
        $text | Should -Match '(?m)^\s*\d+\s+expired\s+Expired\s'
        (Get-ApiKey -StorePath $store -Name expired).State | Should -Be 'Expired'
    }

    It 'the table uses the width it has for the allowlist before shortening it' {
        $wide = Get-ApiKey -StorePath $store -Id $many.Id | Format-Table | Out-String -Width 400
        $wide | Should -Match 'GET /resource-1, GET /resource-2, .*GET /resource-12\s*$'
        $narrow = (Get-ApiKey -StorePath $store -Id $many.Id | Format-Table | Out-String -Width 100) -split "`n" | Where-Object { $_ -match 'many' }
        $narrow | Should -Match 'GET /resource-1, GET /resource-2, .*…\s*$'
        $narrow.TrimEnd().Length | Should -BeLessOrEqual 100
    }

    It 'the audit log shows its times in ISO UTC' {
        $text = Get-ApiKeyAuditLog -StorePath $store | Format-Table | Out-String -Width 200
        $text | Should -Match '(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+Revoke\s'
    }
}

Describe 'Names with wildcard characters' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $null = 'br[ack]et', 'brace', 'star*name', 'q?' | New-ApiKey -StorePath $store -WarningAction Ignore
    }

    It 'Get-ApiKey -LiteralName finds a name holding [ ] * ? exactly' {
        (Get-ApiKey -StorePath $store -LiteralName 'br[ack]et').Name | Should -BeExactly 'br[ack]et'
        (Get-ApiKey -StorePath $store -LiteralName 'star*name').Name | Should -BeExactly 'star*name'
        (Get-ApiKey -StorePath $store -LiteralName 'Q?').Name | Should -BeExactly 'q?'
        $errors = Get-ErrorRecord { Get-ApiKey -StorePath $store -LiteralName 'br*' }
        $errors.FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
    }

    It 'tab completion of -Name inserts the name escaped, and the completed line finds the key' {
        $completion = @(Complete "Get-ApiKey -StorePath '$store' -Name br[")
        @(Complete "Get-ApiKey -StorePath '$store' -Name br").CompletionText | Should -Be @("'br``[ack``]et'", 'brace')
        $completion.Count | Should -Be 1
        $completion[0].CompletionText | Should -BeExactly "'br``[ack``]et'"
        $line = "Get-ApiKey -StorePath '$store' -Name $($completion[0].CompletionText)"
        (Invoke-Expression $line).Name | Should -BeExactly 'br[ack]et'
        $line = "Remove-ApiKey -StorePath '$store' -Name $((Complete "Remove-ApiKey -StorePath '$store' -Name sta")[0].CompletionText) -Confirm:`$false"
        Invoke-Expression $line
        @(Get-ApiKey -StorePath $store).Name -join ',' | Should -Be 'br[ack]et,brace,q?'
    }

    It 'tab completion of -LiteralName inserts the name as it is' {
        (Complete "Get-ApiKey -StorePath '$store' -LiteralName br")[0].CompletionText | Should -BeExactly "'br[ack]et'"
    }
}

Describe 'Remove-ApiKey -Name and Revoke-ApiKey -Name' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $null = 'ci-one', 'ci-two', 'CI-three', 'prod' | New-ApiKey -StorePath $store -Allowlist @{ method = 'GET'; resource = '/x' }
    }

    It '<Cmdlet> -Name with a wildcard acts on each match, each confirmed on its own' -ForEach @(
        @{ Cmdlet = 'Remove-ApiKey'; Action = 'Remove API key'; Check = { param($s) @(Get-ApiKey -StorePath $s).Name -join ',' | Should -Be 'prod' } }
        @{ Cmdlet = 'Revoke-ApiKey'; Action = 'Revoke API key'; Check = { param($s) @(Get-ApiKey -StorePath $s | Where-Object State -eq 'Revoked').Name -join ',' | Should -Be 'ci-one,ci-two,CI-three' } }
    ) {
        $verbose = & $Cmdlet -StorePath $store -Name 'ci-*' -Confirm:$false -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "*$Action*" }
        @($verbose).Count | Should -Be 3
        & $Check $store
    }

    It '<Cmdlet> -Name with -WhatIf changes nothing' -ForEach @(@{ Cmdlet = 'Remove-ApiKey' }, @{ Cmdlet = 'Revoke-ApiKey' }) {
        $before = Get-StoreSnapshot $store
        & $Cmdlet -StorePath $store -Name 'ci-*' -WhatIf
        Get-StoreSnapshot $store | Should -Be $before
    }

    It '<Cmdlet> -Name: a literal name that matches nothing is ApiKeyNotFound, a pattern that matches nothing is silent' -ForEach @(
        @{ Cmdlet = 'Remove-ApiKey' }, @{ Cmdlet = 'Revoke-ApiKey' }
    ) {
        $errors = Get-ErrorRecord { & $Cmdlet -StorePath $store -Name 'missing', 'prod' -Confirm:$false }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        (Get-ErrorRecord { & $Cmdlet -StorePath $store -Name 'zzz*' -Confirm:$false }).Count | Should -Be 0
        @(Get-ApiKey -StorePath $store -Name 'ci-*').Count | Should -Be 3
    }

    It 'Remove-ApiKey -LiteralName removes exactly that name' {
        $null = New-ApiKey -StorePath $store -Name 'ci-*' -WarningAction Ignore
        Remove-ApiKey -StorePath $store -LiteralName 'ci-*' -Confirm:$false
        @(Get-ApiKey -StorePath $store).Count | Should -Be 4
    }
}

Describe 'Warnings and messages' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'k' -Allowlist @{ method = 'GET'; resource = '/x' }
    }

    It 'Set-ApiKey -Allowlist <Given> warns that the key now grants nothing' -ForEach @(@{ Given = '@()'; Value = @() }, @{ Given = '$null'; Value = $null }) {
        $warnings = Set-ApiKey -StorePath $store -Id $key.Id -Allowlist $Value 3>&1
        @($warnings).Count | Should -Be 1
        "$warnings" | Should -BeLike "*'k'*grants nothing*"
        (Get-ApiKey -StorePath $store -Id $key.Id).Allowlist.Count | Should -Be 0
    }

    It 'a 20,000-entry list without aliases names the entry limit' {
        $yaml = (1..20000 | ForEach-Object { "- {method: GET, resource: /r$_}" }) -join "`n"
        $errors = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $key.Id -Allowlist $yaml }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AllowlistDocumentTooComplex,*'
        $errors[0].Exception.Message | Should -BeLike '*entries; the limit is 10,000.'
        $errors[0].Exception.Message | Should -Not -BeLike '*alias*'
    }

    It 'a path that cannot be opened reads as one sentence after another, without a doubled full stop' {
        $folder = Join-Path $TestDrive "folder-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $folder
        $errors = Get-ErrorRecord { New-ApiKey -StorePath $folder -Name 'x' }
        $errors[0].Exception.Message | Should -Not -Match '\.\.'
    }
}

Describe 'build.ps1 -Task Demo' {
    It 'runs its round trip on a store of its own and never touches the user''s store' {
        $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
        $userHome = Join-Path $TestDrive "home-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $userHome
        $userStore = Join-Path $userHome 'chosen.db'
        $script = @"
`$env:HOME = $(ConvertTo-PSLiteral $userHome)
`$env:XDG_DATA_HOME = $(ConvertTo-PSLiteral (Join-Path $userHome 'xdg'))
`$env:APIKEYMODULE_STORE = $(ConvertTo-PSLiteral $userStore)
& $(ConvertTo-PSLiteral (Join-Path $root 'tests/Demo.ps1')) $(ConvertTo-PSLiteral $env:APIKEYMODULE_TEST_MODULE)
"@
        $output = Invoke-ChildPwsh $script
        $output | Should -Match 'uses a store of its own: (\S+)'
        $output | Should -Match 'Keys named demo-\w+\* left: 0'
        @(Get-ChildItem -LiteralPath $userHome -Recurse -Force).Count | Should -Be 0
    }
}
