# Clear-ApiKeyAuditLog: the audit log pruned by age, asking first, and itself audited.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # An audit row as if written $Days days ago (and, for a batch of failures, last seen $LastDays days ago).
    function Add-OldRow([string] $Store, [string] $Action, [double] $Days, [double] $LastDays = -1, [long] $Count = 1) {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
        $at = $now - [long]($Days * 86400000)
        $last = if ($LastDays -ge 0) { $now - [long]($LastDays * 86400000) } else { [DBNull]::Value }
        Invoke-StoreNonQuery $Store ('INSERT INTO audit_log (at, last_at, count, action, details, os_user, host, process_id) ' +
            "VALUES (@at, @last, @count, @action, 'old', 'u', 'h', 1)") @{ at = $at; last = $last; count = $Count; action = $Action }
    }
}

Describe 'Clear-ApiKeyAuditLog' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        Add-OldRow $store 'Rename' -Days 100
        Add-OldRow $store 'VerificationFailed' -Days 100 -LastDays 95 -Count 40
        # A batch that began before the bound and goes on past it stays whole.
        Add-OldRow $store 'VerificationFailed' -Days 100 -LastDays 1 -Count 7
    }

    It 'removes the entries that end before the bound, keeps the others, and writes a ClearAuditLog entry' {
        Clear-ApiKeyAuditLog -StorePath $store -Before (Get-Date).AddDays(-90) -Confirm:$false
        $entries = @(Get-ApiKeyAuditLog -StorePath $store)
        $entries.Action | Should -Be @('ClearAuditLog', 'Create', 'VerificationFailed')
        $entries[2].Count | Should -Be 7
        $entries[0].Details | Should -Match '^Removed 2 audit entries written before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z\.$'
        $entries[0].Count | Should -Be 1
        $entries[0].KeyId | Should -BeNullOrEmpty
        $entries[0].User | Should -Be ([Environment]::UserName)
    }

    It 'says how many entries it would remove with -WhatIf, and removes none' {
        $before = @(Get-ApiKeyAuditLog -StorePath $store).Count
        # The WhatIf message goes to the host: a child process's output shows it.
        $said = Invoke-ChildPwsh "Clear-ApiKeyAuditLog -StorePath $(ConvertTo-PSLiteral $store) -Before (Get-Date).AddDays(-90) -WhatIf"
        $said | Should -Match 'Remove the 2 audit entries written before'
        @(Get-ApiKeyAuditLog -StorePath $store).Count | Should -Be $before
    }

    It 'asks for confirmation by default (ConfirmImpact High)' {
        $info = Get-Command Clear-ApiKeyAuditLog
        $attribute = $info.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        "$($attribute.ConfirmImpact)" | Should -Be 'High'
    }

    It 'writes nothing to the pipeline, and says with -Verbose how many it removed' {
        $output = Clear-ApiKeyAuditLog -StorePath $store -Before (Get-Date).AddDays(-90) -Confirm:$false -Verbose 4>&1
        @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'Removed 2 audit entries'
    }

    It 'refuses a bound in the future with AuditBoundInFuture, and removes nothing' {
        $before = @(Get-ApiKeyAuditLog -StorePath $store).Count
        { Clear-ApiKeyAuditLog -StorePath $store -Before (Get-Date).AddHours(1) -Confirm:$false } | Should -Throw -ErrorId 'AuditBoundInFuture,*'
        @(Get-ApiKeyAuditLog -StorePath $store).Count | Should -Be $before
    }

    It 'takes the bound by position, and clears everything so far with (Get-Date)' {
        $null = Test-ApiKey -StorePath $store -Key 'garbage'
        Start-Sleep -Milliseconds 20
        Clear-ApiKeyAuditLog (Get-Date) -StorePath $store -Confirm:$false
        (Get-ApiKeyAuditLog -StorePath $store).Action | Should -Be 'ClearAuditLog'
        (Get-ApiKeyAuditLog -StorePath $store).Details | Should -Match '^Removed 5 audit entries'
        # The keys are not touched.
        (Get-ApiKey -StorePath $store).Name | Should -Be 'svc'
    }

    It 'creates no store where there is none' {
        $missing = New-TestStorePath $TestDrive
        Clear-ApiKeyAuditLog -StorePath $missing -Before (Get-Date) -Confirm:$false
        Test-StoreExists $missing | Should -BeFalse
    }
}
