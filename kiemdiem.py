"""What the add-in's ribbon button runs: `import kiemdiem; kiemdiem.main()`.

xlwings' RibbonMyAddin.RunMain imports the module named like the add-in file (kiemdiem.xlam), so
this thin module sits at the top level of the installed package and hands over to `addin`.
"""
from addin import kiem_tra, main  # noqa: F401

if __name__ == "__main__":  # run from a terminal against the active workbook, for a quick try
    import xlwings as xw

    main(xw.books.active)
