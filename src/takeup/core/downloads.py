"""CSV downloads as HTTP responses, through the formula-safe writer. (Apart from csvsafe, which
the command line reads without setting Django up.)"""

from django.http import HttpResponse

from .csvsafe import SafeWriter


def csv_response(
    name: str, columns: tuple[str, ...] | list[str], rows: list[tuple[object, ...]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = SafeWriter(response)
    writer.writerow(columns)
    writer.writerows(rows)
    return response
