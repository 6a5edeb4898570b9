# Another module's YamlDotNet (11.2.1, as powershell-yaml or platyPS load it) and ApiKeyModule's own, in one session,
# in both orders. Assemblies load once per process, so each order runs in a child pwsh.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    $otherYaml = Join-Path $env:APIKEYMODULE_TEST_PACKAGES 'yamldotnet/11.2.1/lib/netstandard2.1/YamlDotNet.dll'

    function Invoke-Session([string] $Order) {
        $store = New-TestStorePath $TestDrive
        $script = Join-Path $TestDrive "isolation-$Order.ps1"
        Set-Content -Path $script -Value @'
param($Module, $OtherYaml, $Store, $Order)
$ErrorActionPreference = 'Stop'
function Use-OtherYaml {
    $deserializer = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build()
    $deserializer.Deserialize("answer: 42", [hashtable])['answer']
}
function Use-Module([string] $Name) {
    (New-ApiKey -Name $Name -StorePath $Store -Allowlist "- method: CALL`n  resource: system.info").Allowlist[0].ToString()
}
$result = [ordered]@{}
if ($Order -eq 'OtherFirst') {
    Add-Type -Path $OtherYaml
    $result.OtherBefore = Use-OtherYaml
    Import-Module $Module
    $result.Module = Use-Module 'first'
    $result.OtherAfter = Use-OtherYaml
}
else {
    Import-Module $Module
    $result.Module = Use-Module 'first'
    Add-Type -Path $OtherYaml
    $result.OtherAfter = Use-OtherYaml
}
$result.ModuleAgain = Use-Module 'second'
$result.Versions = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } |
    ForEach-Object { $_.GetName().Version.Major } | Sort-Object)
$result | ConvertTo-Json -Compress
'@
        $command = Get-PwshCommand
        $rest = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script,
            $env:APIKEYMODULE_TEST_MODULE, $otherYaml, $store, $Order)
        $output = @(& $command[0] @rest 2>&1)
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output[-1] | ConvertFrom-Json
    }
}

Describe 'Isolation from another YamlDotNet' -Tag Once {
    It 'the other YamlDotNet 11.2.1 is at hand for the test' {
        Test-Path -LiteralPath $otherYaml | Should -BeTrue
    }

    It 'works when the other YamlDotNet was loaded first (<Order>)' -ForEach @(@{ Order = 'OtherFirst' }, @{ Order = 'ModuleFirst' }) {
        $session = Invoke-Session $Order
        $session.Module | Should -Be 'CALL system.info'
        $session.ModuleAgain | Should -Be 'CALL system.info'
        $session.OtherAfter | Should -Be '42'
        if ($Order -eq 'OtherFirst') { $session.OtherBefore | Should -Be '42' }
        $session.Versions | Should -Be @(11, 16) -Because 'both versions are loaded side by side'
    }
}

Describe 'Public types' -Tag Once {
    It 'stay free of YamlDotNet and SQLite types' {
        $leaks = foreach ($type in [ApiKeyModule.ApiKey].Assembly.GetExportedTypes() + (Get-Command -Module ApiKeyModule).ImplementingType) {
            foreach ($member in $type.GetMembers('Public, Instance, Static, DeclaredOnly')) {
                $types = switch ($member.MemberType) {
                    'Property' { $member.PropertyType }
                    'Method' { @($member.ReturnType) + @($member.GetParameters().ParameterType) }
                    'Constructor' { @($member.GetParameters().ParameterType) }
                    'Field' { $member.FieldType }
                }
                foreach ($t in @($types) -ne $null) {
                    if ($t.Assembly.GetName().Name -match '^(YamlDotNet|Microsoft\.Data\.Sqlite|SQLitePCLRaw)') { "$($type.Name).$($member.Name): $t" }
                }
            }
        }
        $leaks | Should -BeNullOrEmpty
    }

    It 'can be named in scripts: <Name>' -ForEach @(
        @{ Name = 'ApiKeyModule.ApiKey' }, @{ Name = 'ApiKeyModule.IssuedApiKey' }, @{ Name = 'ApiKeyModule.VerificationCode' },
        @{ Name = 'ApiKeyModule.AllowlistEntry' }, @{ Name = 'ApiKeyModule.ApiKeyAuditEntry' }, @{ Name = 'ApiKeyModule.ApiKeyVerifier' }
    ) {
        ($Name -as [type]).FullName | Should -Be $Name
    }
}
