# A key object acts on the store it was read from: the default store, $env:APIKEYMODULE_STORE and
# $PSDefaultParameterValues never redirect it.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # The bytes of a store's files, after every connection of this process closed (so the WAL is checkpointed):
    # a store nothing wrote to has the same bytes before and after.
    function Get-StoreBytes([string] $Path) {
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        @(Get-ChildItem -LiteralPath (Split-Path $Path) -Filter "$(Split-Path $Path -Leaf)*" | Sort-Object Name |
                ForEach-Object { "$($_.Name)=$((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash)" }) -join ';'
    }

    # Two stores whose keys have the same ids and names: 'home' (where the piped keys come from) and 'elsewhere'
    # (where the default, the environment or $PSDefaultParameterValues points).
    function New-StorePair {
        $pair = [pscustomobject]@{
            Home      = Join-Path $TestDrive "home-$([guid]::NewGuid())/keys.db"
            Elsewhere = Join-Path $TestDrive "elsewhere-$([guid]::NewGuid())/keys.db"
            Issued    = $null
        }
        $pair.Issued = foreach ($name in 'k1', 'k2', 'k3') {
            New-ApiKey -StorePath $pair.Home -Name $name -Allowlist @{ method = 'GET'; resource = '/x' }
        }
        foreach ($name in 'k1', 'k2', 'k3') {
            $null = New-ApiKey -StorePath $pair.Elsewhere -Name $name -Allowlist @{ method = 'GET'; resource = '/x' }
        }
        $pair
    }
}

BeforeDiscovery {
    # Each cmdlet that takes a key object: what it does to key 2, and how to see that it was done in the home store.
    $actions = @(
        @{ Cmdlet = 'Set-ApiKey'; Run = { param($key, $with = @{}) $key | Set-ApiKey -Name 'renamed' @with }; Done = { param($at) (Get-ApiKey -StorePath $at -Id 2).Name -eq 'renamed' } }
        @{ Cmdlet = 'Remove-ApiKey'; Run = { param($key, $with = @{}) $key | Remove-ApiKey -Confirm:$false @with }; Done = { param($at) -not (Get-ApiKey -StorePath $at -Id 2 -ErrorAction Ignore) } }
        @{ Cmdlet = 'Revoke-ApiKey'; Run = { param($key, $with = @{}) $key | Revoke-ApiKey -Reason 'gone' @with }; Done = { param($at) (Get-ApiKey -StorePath $at -Id 2).State -eq 'Revoked' } }
        @{ Cmdlet = 'Edit-ApiKey'; Run = { param($key, $with = @{}) $key | Edit-ApiKey -Yaml 'name: edited' @with }; Done = { param($at) (Get-ApiKey -StorePath $at -Id 2).Name -eq 'edited' } }
        # Test-ApiKey takes the issued key (it holds the Key); a use is recorded in the key's own store.
        @{ Cmdlet = 'Test-ApiKey'; Issued = $true; Run = { param($key, $with = @{}) $key | Test-ApiKey @with }; Done = { param($at, $output) $output -eq $true -and $null -ne (Get-ApiKey -StorePath $at -Id 2).LastUsedAt } }
        @{ Cmdlet = 'Get-ApiKeyAuditLog'; Run = { param($key, $with = @{}) $key | Get-ApiKeyAuditLog @with }; Done = { param($at, $output) @($output).Count -eq 1 -and $output.Store -eq $at -and $output.KeyName -eq 'k2' } }
    )
}

Describe 'A piped key acts on its own store (<Cmdlet>)' -ForEach $actions {
    BeforeEach {
        $pair = New-StorePair
        $key = if ($Issued) { $pair.Issued[1] } else { Get-ApiKey -StorePath $pair.Home -Id 2 }
    }
    AfterEach {
        Remove-Item Env:APIKEYMODULE_STORE -ErrorAction Ignore
        $PSDefaultParameterValues.Remove('*-ApiKey*:StorePath')
        $env:XDG_DATA_HOME = $savedXdg
    }
    BeforeAll { $savedXdg = $env:XDG_DATA_HOME }

    It 'with $env:APIKEYMODULE_STORE pointing elsewhere: the key changes at home, the other store keeps its bytes' {
        $env:APIKEYMODULE_STORE = $pair.Elsewhere
        $before = Get-StoreBytes $pair.Elsewhere
        $output = & $Run $key
        & $Done $pair.Home $output | Should -BeTrue
        Get-StoreBytes $pair.Elsewhere | Should -Be $before
    }

    It 'with the default store elsewhere: the key changes at home, the default store keeps its bytes' {
        $env:XDG_DATA_HOME = Join-Path $TestDrive "xdg-$([guid]::NewGuid())"
        $default = [ApiKeyModule.StoreLocation]::Default()
        $null = 'k1', 'k2' | New-ApiKey -StorePath $default -WarningAction Ignore
        $before = Get-StoreBytes $default
        $output = & $Run $key 3>$null
        & $Done $pair.Home $output | Should -BeTrue
        Get-StoreBytes $default | Should -Be $before
    }

    It 'with $PSDefaultParameterValues naming another store: KeyFromOtherStore naming both, and no store changes' {
        $PSDefaultParameterValues['*-ApiKey*:StorePath'] = $pair.Elsewhere
        $beforeHome = Get-StoreBytes $pair.Home
        $beforeElsewhere = Get-StoreBytes $pair.Elsewhere
        $errors = Get-ErrorRecord { & $Run $key }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'KeyFromOtherStore,*'
        "$($errors[0].CategoryInfo.Category)" | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -BeLike "*$($pair.Home)*$($pair.Elsewhere)*"
        Get-StoreBytes $pair.Home | Should -Be $beforeHome
        Get-StoreBytes $pair.Elsewhere | Should -Be $beforeElsewhere
    }

    It 'with -StorePath typed as another store: KeyFromOtherStore, non-terminating, and no store changes' {
        $beforeHome = Get-StoreBytes $pair.Home
        $beforeElsewhere = Get-StoreBytes $pair.Elsewhere
        $result = @(& { $ErrorActionPreference = 'Continue'; & $Run $key @{ StorePath = $pair.Elsewhere }; 'went on' } 2>&1)
        $result[0].FullyQualifiedErrorId | Should -BeLike 'KeyFromOtherStore,*'
        $result[-1] | Should -Be 'went on'
        Get-StoreBytes $pair.Home | Should -Be $beforeHome
        Get-StoreBytes $pair.Elsewhere | Should -Be $beforeElsewhere
    }

    It 'with -StorePath naming its own store (another spelling of the path): the key changes' {
        $sameStore = Join-Path (Split-Path $pair.Home) '..' (Split-Path (Split-Path $pair.Home) -Leaf) 'keys.db'
        $output = & $Run $key @{ StorePath = $sameStore }
        & $Done $pair.Home $output | Should -BeTrue
    }

    It 'refuses a stale key object: a store restored from a backup holds another key under the same id' {
        if ($Cmdlet -in 'Test-ApiKey', 'Get-ApiKeyAuditLog') { Set-ItResult -Skipped -Because "$Cmdlet changes no key"; return }
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        $backup = "$($pair.Home).bak"
        Copy-Item -LiteralPath $pair.Home $backup
        $stale = New-ApiKey -StorePath $pair.Home -Name 'made-after-backup' -WarningAction Ignore
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        Copy-Item -LiteralPath $backup $pair.Home -Force
        Start-Sleep -Milliseconds 5
        $other = New-ApiKey -StorePath $pair.Home -Name 'same-id-new-key' -WarningAction Ignore
        $other.Id | Should -Be $stale.Id
        $errors = Get-ErrorRecord { & $Run $stale }
        $errors.FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        $errors[0].Exception.Message | Should -BeLike "*Id $($stale.Id) created*"
        $now = Get-ApiKey -StorePath $pair.Home -Id $other.Id
        $now.Name | Should -Be 'same-id-new-key'
        $now.State | Should -Be 'Active'
    }
}

Describe 'Key objects carry their store' {
    BeforeEach { $pair = New-StorePair }

    It 'ApiKey, IssuedApiKey and audit entries show StoreId and Store' {
        $homeId = (Get-ApiKey -StorePath $pair.Home -Id 1).StoreId
        $homeId | Should -BeOfType [guid]
        $homeId | Should -Not -Be ([guid]::Empty)
        (Get-ApiKey -StorePath $pair.Elsewhere -Id 1).StoreId | Should -Not -Be $homeId
        $pair.Issued[0].StoreId | Should -Be $homeId
        $pair.Issued[0].Store | Should -Be $pair.Home
        (Get-ApiKeyAuditLog -StorePath $pair.Home | Select-Object -First 1).StoreId | Should -Be $homeId
        (Get-ApiKey -StorePath $pair.Home -Id 1 | Format-List * | Out-String) | Should -Match "StoreId\s*:\s*$homeId"
    }

    It 'keeps its identity when the store is moved, and a moved store is the same store to a key read before' {
        $key = Get-ApiKey -StorePath $pair.Home -Id 1
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        $moved = Join-Path $TestDrive "moved-$([guid]::NewGuid()).db"
        Move-Item -LiteralPath $pair.Home $moved
        (Get-ApiKey -StorePath $moved -Id 1).StoreId | Should -Be $key.StoreId
        $key | Set-ApiKey -StorePath $moved -Name 'followed'
        (Get-ApiKey -StorePath $moved -Id 1).Name | Should -Be 'followed'
    }

    It 'objects read from two stores in one pipeline each go home' {
        $beforeHome = @(Get-ApiKey -StorePath $pair.Home).Name
        @(Get-ApiKey -StorePath $pair.Home -Id 1; Get-ApiKey -StorePath $pair.Elsewhere -Id 3) | Remove-ApiKey -Confirm:$false
        @(Get-ApiKey -StorePath $pair.Home).Name -join ',' | Should -Be 'k2,k3'
        @(Get-ApiKey -StorePath $pair.Elsewhere).Name -join ',' | Should -Be 'k1,k2'
        $beforeHome.Count | Should -Be 3
    }

    It 'Get-ApiKeyAuditLog reads the log of the store each piped key came from' {
        $env:APIKEYMODULE_STORE = $pair.Elsewhere
        try {
            $entries = @(Get-ApiKey -StorePath $pair.Home -Id 2 | Get-ApiKeyAuditLog)
        }
        finally { Remove-Item Env:APIKEYMODULE_STORE }
        $entries.Count | Should -Be 1
        $entries[0].Store | Should -Be $pair.Home
        $entries[0].KeyName | Should -Be 'k2'
    }

    It 'Test-ApiKey verifies a piped new key in the store it was made in, writing nothing elsewhere' {
        $env:APIKEYMODULE_STORE = $pair.Elsewhere
        try {
            $before = Get-StoreBytes $pair.Elsewhere
            $pair.Issued[1] | Test-ApiKey | Should -BeTrue
            $pair.Issued[1] | Test-ApiKey -Method GET -Resource /x -Detailed | ForEach-Object Code | Should -Be 'Valid'
            Get-StoreBytes $pair.Elsewhere | Should -Be $before
        }
        finally { Remove-Item Env:APIKEYMODULE_STORE }
    }

    It 'Test-ApiKey refuses a key read from the store (it has no Key) instead of verifying its name' {
        $errors = Get-ErrorRecord { Get-ApiKey -StorePath $pair.Home -Id 1 | Test-ApiKey }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'NoKeyToVerify,*'
        @(Get-ApiKeyAuditLog -StorePath $pair.Home | Where-Object Action -eq 'VerificationFailed').Count | Should -Be 0
    }

    It 'Test-ApiKey -Key with a piped string still uses the store chosen as usual' {
        $pair.Issued[0].Key | Test-ApiKey -StorePath $pair.Home | Should -BeTrue
        $pair.Issued[0].Key | Test-ApiKey -StorePath $pair.Elsewhere | Should -BeFalse
    }

    It 'an object with only an Id (Import-Csv, Select-Object) still names a key of the store chosen as usual' {
        [pscustomobject]@{ Id = 3 } | Remove-ApiKey -StorePath $pair.Elsewhere -Confirm:$false
        @(Get-ApiKey -StorePath $pair.Elsewhere).Name -join ',' | Should -Be 'k1,k2'
        @(Get-ApiKey -StorePath $pair.Home).Count | Should -Be 3
    }
}
