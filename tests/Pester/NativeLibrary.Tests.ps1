# The bundled SQLite native library: when the file for this platform is missing, every cmdlet stops with
# SqliteNativeLibraryLoadFailed naming the file. The library loads once per process, so each case runs in a child
# pwsh that imports a copy of the module.
BeforeDiscovery {
    $isLinuxX64 = $IsLinux -and
        [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq [Runtime.InteropServices.Architecture]::X64 -and
        -not (Get-ChildItem -Path '/lib' -Filter 'ld-musl-*.so.1' -ErrorAction Ignore)
}

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    $nativeRelative = 'dependencies/runtimes/linux-x64/native/libe_sqlite3.so'

    # A copy of the built module under $TestDrive; returns the folder.
    function Copy-Module([string] $Name) {
        $source = Split-Path -Parent $env:APIKEYMODULE_TEST_MODULE
        $target = Join-Path $TestDrive $Name
        Copy-Item -LiteralPath $source -Destination $target -Recurse
        [IO.Path]::GetFullPath($target)
    }

    # Runs $Script in a child pwsh with the module at $ModuleFolder imported (instead of the one under test);
    # returns the child's stdout parsed from JSON.
    function Invoke-ChildWithModule([string] $ModuleFolder, [string] $Script) {
        $saved = $env:APIKEYMODULE_TEST_MODULE
        $env:APIKEYMODULE_TEST_MODULE = Join-Path $ModuleFolder (Split-Path -Leaf $saved)
        try {
            $stdout = Invoke-ChildPwsh $Script
        }
        finally {
            $env:APIKEYMODULE_TEST_MODULE = $saved
        }
        $stdout | ConvertFrom-Json
    }

    # The child script: runs each command, and writes, as JSON, where the module was loaded from and what each
    # command did (the error it stopped with, or its output count).
    function New-ChildScript([string] $StorePath) {
        $store = ConvertTo-PSLiteral $StorePath
        @"
`$results = foreach (`$command in { Get-ApiKey -StorePath $store }, { New-ApiKey -StorePath $store -Name 'native' -WarningAction SilentlyContinue }, { Get-ApiKey -StorePath $store }) {
    try {
        `$output = @(& `$command)
        [pscustomobject]@{ Failed = `$false; Count = `$output.Count; ErrorId = `$null; Category = `$null; Message = `$null; Target = `$null }
    }
    catch {
        [pscustomobject]@{ Failed = `$true; Count = 0; ErrorId = `$_.FullyQualifiedErrorId; Category = "`$(`$_.CategoryInfo.Category)"; Message = `$_.Exception.Message; Target = "`$(`$_.TargetObject)" }
    }
}
[pscustomobject]@{
    ModuleBase = (Get-Module ApiKeyModule).ModuleBase
    EngineLocation = [ApiKeyModule.ApiKeyStore].Assembly.Location
    Results = @(`$results)
} | ConvertTo-Json -Depth 4 -Compress
"@
    }
}

Describe 'The SQLite native library' -Tag File -Skip:(-not $isLinuxX64) {
    Context 'missing from the module folder' {
        BeforeAll {
            $copy = Copy-Module 'broken'
            $missing = [IO.Path]::GetFullPath((Join-Path $copy $nativeRelative))
            Test-Path -LiteralPath $missing | Should -BeTrue -Because 'the build ships the linux-x64 library that this test removes'
            Remove-Item -LiteralPath $missing
            $storePath = Join-Path $TestDrive 'broken-store/apikeys.db'
            # A store that exists, so that reading it needs SQLite (where there is none, Get-ApiKey needs nothing).
            $null = New-ApiKey -StorePath $storePath -Name 'existing' -WarningAction SilentlyContinue
            $child = Invoke-ChildWithModule $copy (New-ChildScript $storePath)
        }

        It 'the child imported the copy (not the module under test)' {
            $child.ModuleBase | Should -Be $copy
            $child.EngineLocation | Should -Be (Join-Path $copy 'dependencies/ApiKeyModule.Engine.dll')
        }

        It 'Get-ApiKey stops with SqliteNativeLibraryLoadFailed (ResourceUnavailable)' {
            $result = $child.Results[0]
            $result.Failed | Should -BeTrue
            $result.ErrorId | Should -BeLike 'SqliteNativeLibraryLoadFailed,*'
            $result.Category | Should -Be 'ResourceUnavailable'
        }

        It 'the message names the full path of the file it tried' {
            $message = $child.Results[0].Message
            $message.Contains($missing) | Should -BeTrue -Because "the message should name '$missing', but is: $message"
        }

        It 'every later cmdlet in the same process fails the same way (<Index>)' -ForEach @(
            @{ Index = 1 }
            @{ Index = 2 }
        ) {
            $result = $child.Results[$Index]
            $result.Failed | Should -BeTrue
            $result.ErrorId | Should -BeLike 'SqliteNativeLibraryLoadFailed,*'
            $result.Category | Should -Be 'ResourceUnavailable'
            $result.Message.Contains($missing) | Should -BeTrue -Because "the message should name '$missing', but is: $($result.Message)"
        }
    }

    Context 'present in the module folder (the same procedure, as a control)' {
        BeforeAll {
            $copy = Copy-Module 'intact'
            $storePath = Join-Path $TestDrive 'intact-store.db'
            $child = Invoke-ChildWithModule $copy (New-ChildScript $storePath)
        }

        It 'the child imported the copy' {
            $child.ModuleBase | Should -Be $copy
        }

        It 'the cmdlets work: an empty list, a new key, then a list of one' {
            ($child.Results | ForEach-Object { "$($_.Failed):$($_.Count)" }) -join ',' | Should -Be 'False:0,False:1,False:1'
        }
    }
}
